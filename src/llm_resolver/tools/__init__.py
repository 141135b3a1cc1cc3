"""Tools: ``@tool`` makes a typed function into a tool; ``run_tools``/``arun_tools`` run the loop in which
the model calls them; plugins add tools through ``register_tools``."""

from llm_resolver.tools.decorator import as_tool, tool
from llm_resolver.tools.loop import arun_tools, run_tools
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
    "arun_tools",
    "as_tool",
    "plugin_tools",
    "run_tools",
    "select_tools",
    "tool",
]
