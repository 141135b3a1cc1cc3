"""The tool loop: call the model → run the tools it asks for → send the results → until it answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from llm_resolver.errors import LLMBadRequestError
from llm_resolver.plugins.default import plugins_or_default
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.protocol import LLM
from llm_resolver.tools.decorator import as_tool
from llm_resolver.tools.execute import aexecute, execute
from llm_resolver.tools.registry import select_tools
from llm_resolver.tools.results import LLMToolLoopError, ToolCallRecord, ToolLoopResult, ToolStep
from llm_resolver.types.messages import Message
from llm_resolver.types.request import ChatRequest, RequestLike, coerce_request
from llm_resolver.types.responses import ChatResponse
from llm_resolver.types.tool import Tool

ToolLike = Tool | Callable[..., Any] | str


def run_tools(
    llm: LLM,
    request: RequestLike,
    tools: Sequence[ToolLike] | None = None,
    *,
    max_steps: int = 8,
    **options: Any,
) -> ToolLoopResult:
    """Run the loop with ``llm.complete``; tools run in turn (async ones together, in a private loop).

    ``tools`` takes ``Tool`` objects, plain functions and names (or patterns) of plugin tools; without
    it, the request's own tools and the plugin tools the LLM's config names (``LiteLLM.tools``) are
    offered. ``options`` go to every ``complete`` call. More than ``max_steps`` model calls raise
    ``LLMToolLoopError``.
    """
    loop = _Loop.start(llm, request, tools, max_steps)
    while True:
        response = llm.complete(loop.request(), **options)
        if loop.finished(response):
            return loop.result(response)
        loop.add(response, execute(response.tool_calls, loop.toolset, loop.secrets))


async def arun_tools(
    llm: LLM,
    request: RequestLike,
    tools: Sequence[ToolLike] | None = None,
    *,
    max_steps: int = 8,
    **options: Any,
) -> ToolLoopResult:
    """``run_tools`` with ``llm.acomplete``; a step's tools run concurrently (sync ones in threads)."""
    loop = _Loop.start(llm, request, tools, max_steps)
    while True:
        response = await llm.acomplete(loop.request(), **options)
        if loop.finished(response):
            return loop.result(response)
        loop.add(response, await aexecute(response.tool_calls, loop.toolset, loop.secrets))


@dataclass
class _Loop:
    """The state shared by the sync and async loops."""

    llm: LLM
    base: ChatRequest
    offered: list[Tool | dict[str, Any]]
    toolset: dict[str, Tool]
    max_steps: int
    messages: list[Message]
    steps: list[ToolStep]
    secrets: list[str]

    @classmethod
    def start(cls, llm: LLM, request: RequestLike, tools: Sequence[ToolLike] | None, max_steps: int) -> _Loop:
        if not isinstance(max_steps, int) or max_steps < 1:
            raise LLMBadRequestError(f"max_steps must be a positive integer, got {max_steps!r}")
        base = coerce_request(request)
        extra = _llm_tools(llm) if tools is None else _resolve(tools, llm)
        offered = _merge([*(base.tools or []), *extra])
        if not offered:
            raise LLMBadRequestError(
                "no tools to offer: pass tools=[...] (Tool objects, functions or plugin tool names), put "
                "them on the request, or name plugin tools in the resolver's `tools` setting"
            )
        return cls(llm, base, offered, _toolset(offered), max_steps, list(base.messages), [], _secrets(llm))

    def request(self) -> ChatRequest:
        return self.base.model_copy(update={"messages": list(self.messages), "tools": self.offered})

    def finished(self, response: ChatResponse) -> bool:
        """True for the final answer; raises when the model wants tools and no step is left."""
        if not response.tool_calls:
            return True
        if len(self.steps) + 1 >= self.max_steps:
            self.steps.append(ToolStep(response))
            run = sum(len(step.calls) for step in self.steps)
            raise LLMToolLoopError(
                f"the model still asked for tools after {self.max_steps} model calls ({run} tool calls "
                "run); raise max_steps, or make the task or the tool descriptions clearer",
                steps=self.steps,
                messages=[*self.messages, response.message],
                model=response.model,
            )
        return False

    def add(self, response: ChatResponse, records: list[ToolCallRecord]) -> None:
        self.steps.append(ToolStep(response, records))
        self.messages.append(_replayable(response.message))
        self.messages.extend(Message.tool(r.content, tool_call_id=r.id) for r in records)

    def result(self, response: ChatResponse) -> ToolLoopResult:
        self.steps.append(ToolStep(response))
        return ToolLoopResult(response, self.steps, [*self.messages, response.message])


def _secrets(llm: LLM) -> list[str]:
    """The secrets of an LLM's config (``LiteLLM`` has one), to keep them out of tool errors sent back."""
    secret_values = getattr(getattr(llm, "config", None), "secret_values", None)
    return [str(s) for s in secret_values()] if callable(secret_values) else []


def _llm_tools(llm: LLM) -> list[Tool]:
    """The plugin tools the LLM's config names, for LLMs that have such a setting."""
    tools = getattr(llm, "tools", None)
    return [t for t in tools if isinstance(t, Tool)] if isinstance(tools, list) else []


def _resolve(tools: Sequence[ToolLike], llm: LLM) -> list[Tool]:
    if isinstance(tools, str | Tool) or callable(tools):
        raise LLMBadRequestError("tools must be a list (of Tool objects, functions or plugin tool names)")
    resolved: list[Tool] = []
    for item in tools:
        if isinstance(item, str):
            resolved.extend(select_tools([item], _plugins_of(llm)))
        elif isinstance(item, Tool) or callable(item):
            resolved.append(as_tool(item))
        else:
            raise LLMBadRequestError(
                f"cannot use a {type(item).__name__} as a tool; pass a Tool, a function or a plugin tool name"
            )
    return resolved


def _plugins_of(llm: LLM) -> PluginManager:
    """The LLM's own plugin manager; an LLM without one (a ``FakeLLM``) names the process's plugins."""
    plugins = getattr(llm, "plugins", None)
    return plugins_or_default(plugins if isinstance(plugins, PluginManager) else None)


def _merge(tools: list[Tool | dict[str, Any]]) -> list[Tool | dict[str, Any]]:
    """Drop repeats of the same tool; two different tools under one wire name are an error."""
    seen: dict[str, Tool | dict[str, Any]] = {}
    for item in tools:
        name = _wire_name(item)
        if name in seen:
            if _same(seen[name], item):
                continue
            raise LLMBadRequestError(
                f"two different tools are both called {name!r} on the wire; rename one (@tool(name=...))"
            )
        seen[name] = item
    return list(seen.values())


def _same(a: Tool | dict[str, Any], b: Tool | dict[str, Any]) -> bool:
    if isinstance(a, Tool) and isinstance(b, Tool):
        return a.function is b.function and a == b
    return a == b


def _wire_name(item: Tool | dict[str, Any]) -> str:
    if isinstance(item, Tool):
        return item.wire_name
    function = item.get("function") if isinstance(item, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str):
        raise LLMBadRequestError(f"a tool dict needs function.name, got {str(item)[:120]}")
    return name


def _toolset(offered: list[Tool | dict[str, Any]]) -> dict[str, Tool]:
    """Tools by the names a model may call them: the wire name and the full name."""
    toolset: dict[str, Tool] = {}
    for item in offered:
        tool = item if isinstance(item, Tool) else Tool(_wire_name(item), "", {})
        toolset.setdefault(tool.wire_name, tool)
        toolset.setdefault(tool.name, tool)
    return toolset


def _replayable(message: Message) -> Message:
    """The assistant turn as it goes back to the model: arguments that were not JSON are replaced by
    ``{}`` (some providers' converters choke on them); the tool result explains what was wrong."""
    if not any(c.raw_arguments is not None for c in message.tool_calls):
        return message
    calls = [
        c.model_copy(update={"arguments": {}, "raw_arguments": None}) if c.raw_arguments is not None else c
        for c in message.tool_calls
    ]
    return message.model_copy(update={"tool_calls": calls})
