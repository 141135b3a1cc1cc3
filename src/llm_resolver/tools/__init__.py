"""Tools: ``@tool`` makes a typed function into a tool; plugins add tools through ``register_tools``.

The loop in which the model calls them (``run_tools``/``arun_tools``) is ``llm_resolver.tool_loop``: it
drives an LLM and falls back to the process's plugins, so it sits above this package and the plugins.
"""

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
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

# Each name is imported from its module on first access: importing one of this package's modules
# (a registry, say) does not import all of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "LLMToolLoopError": "results",
        "Tool": "llm_resolver.types.tool",
        "ToolArgumentsError": "llm_resolver.types.tool",
        "ToolCallRecord": "results",
        "ToolLoopResult": "results",
        "ToolStep": "results",
        "as_tool": "decorator",
        "plugin_tools": "registry",
        "select_tools": "registry",
        "tool": "decorator",
    },
)
