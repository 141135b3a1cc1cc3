"""Tools: ``@tool`` makes a typed function into a tool; ``run_tools``/``arun_tools`` run the loop in which
the model calls them; plugins add tools through ``register_tools``.

Names are imported on first access: building the tool registry (every first resolve) needs only the
decorator, not the loop and its call machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports
from llm_resolver.types.tool import Tool, ToolArgumentsError

if TYPE_CHECKING:
    from llm_resolver.tools.decorator import as_tool, tool
    from llm_resolver.tools.loop import arun_tools, run_tools
    from llm_resolver.tools.registry import plugin_tools, select_tools
    from llm_resolver.tools.results import LLMToolLoopError, ToolCallRecord, ToolLoopResult, ToolStep

__all__ = [
    "LLMToolLoopError",
    "Tool",
    "ToolArgumentsError",
    "ToolCallRecord",
    "ToolLoopResult",
    "ToolStep",
    "arun_tools",
    "as_tool",
    "plugin_tools",
    "run_tools",
    "select_tools",
    "tool",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "LLMToolLoopError": "results",
        "ToolCallRecord": "results",
        "ToolLoopResult": "results",
        "ToolStep": "results",
        "arun_tools": "loop",
        "as_tool": "decorator",
        "plugin_tools": "registry",
        "run_tools": "loop",
        "select_tools": "registry",
        "tool": "decorator",
    },
)
