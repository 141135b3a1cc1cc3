"""Tools: ``@tool`` makes a typed function into a tool; plugins add tools through ``register_tools``.

The loop in which the model calls them (``run_tools``/``arun_tools``) is ``llm_resolver.tool_loop``: it
drives an LLM and falls back to the process's plugins, so it sits above this package and the plugins.
"""

from llm_resolver.tools.decorator import as_tool, tool
from llm_resolver.tools.registry import plugin_tools, select_tools
from llm_resolver.tools.results import LLMToolLoopError, ToolCallRecord, ToolLoopResult, ToolStep
from llm_resolver.types.tool import Tool, ToolArgumentsError

__all__ = [
    "LLMToolLoopError",
    "Tool",
    "ToolArgumentsError",
    "ToolCallRecord",
    "ToolLoopResult",
    "ToolStep",
    "as_tool",
    "plugin_tools",
    "select_tools",
    "tool",
]
