"""Running the tool calls of one step. Every failure becomes an ``error: …`` result for the model to
read and correct, never an exception: unknown names, bad JSON, invalid arguments, a tool that raised.

What the model reads of a failure is a short summary scrubbed of the LLM's secrets (``secrets``, by
value) and of key-shaped strings: the text goes to the provider, and a tool's exception may quote
anything it had at hand, the LLM's own key included."""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic_core import to_json

from llm_resolver.redaction import redact
from llm_resolver.tools.results import ToolCallRecord
from llm_resolver.types.messages import ToolCall, escape_unsendable, text_problem
from llm_resolver.types.tool import Tool, ToolArgumentsError

T = TypeVar("T")
# Longest exception text the model receives from a tool that raised.
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Ready:
    """A call whose tool was found and whose arguments validated: ready to run."""

    call: ToolCall
    tool: Tool
    function: Callable[..., Any]
    kwargs: dict[str, Any]
    secrets: Sequence[str] = ()


def prepare(
    call: ToolCall, toolset: Mapping[str, Tool], secrets: Sequence[str] = ()
) -> Ready | ToolCallRecord:
    """The tool and validated arguments for ``call``, or the error record the model gets instead."""
    tool = toolset.get(call.name)
    if tool is None or tool.function is None:
        runnable = sorted({t.wire_name for t in toolset.values() if t.function is not None})
        reason = "there is no tool named" if tool is None else "there is no function to run for tool"
        return _failed(
            call, f"{reason} {call.name!r}; available tools: {', '.join(runnable) or 'none'}", secrets
        )
    if call.raw_arguments is not None:
        return _failed(
            call,
            f"the arguments for {call.name!r} are not a JSON object ({_json_problem(call.raw_arguments)}); "
            "call it again with a JSON object that matches its parameters",
            secrets,
        )
    try:
        kwargs = tool.validate(call.arguments)
    except ToolArgumentsError as exc:
        return _failed(
            call,
            f"invalid arguments for {call.name!r}: {'; '.join(exc.problems)}; call it again with "
            "arguments that match its parameters",
            secrets,
        )
    return Ready(call, tool, tool.function, kwargs, secrets)


def run_sync(ready: Ready) -> ToolCallRecord:
    start = time.perf_counter()
    try:
        value = ready.function(**ready.kwargs)
        if inspect.isawaitable(value):
            value = run_blocking(_await(value))
    except Exception as exc:
        return _raised(ready, exc, time.perf_counter() - start)
    return _succeeded(ready, value, time.perf_counter() - start)


async def run_async(ready: Ready, *, offload_sync: bool = True) -> ToolCallRecord:
    """Await an async tool; run a sync one in a worker thread (or inline when ``offload_sync`` is off)."""
    start = time.perf_counter()
    try:
        if ready.tool.is_async or not offload_sync:
            value = ready.function(**ready.kwargs)
        else:
            value = await asyncio.to_thread(ready.function, **ready.kwargs)
        if inspect.isawaitable(value):
            value = await value
    except Exception as exc:
        return _raised(ready, exc, time.perf_counter() - start)
    return _succeeded(ready, value, time.perf_counter() - start)


def execute(
    calls: list[ToolCall], toolset: Mapping[str, Tool], secrets: Sequence[str] = ()
) -> list[ToolCallRecord]:
    """Run one step's calls from synchronous code: sync tools in turn, async ones together in a loop."""
    prepared = [prepare(call, toolset, secrets) for call in calls]
    if not any(isinstance(p, Ready) and p.tool.is_async for p in prepared):
        return [run_sync(p) if isinstance(p, Ready) else p for p in prepared]
    return run_blocking(_gather(prepared, offload_sync=False))


async def aexecute(
    calls: list[ToolCall], toolset: Mapping[str, Tool], secrets: Sequence[str] = ()
) -> list[ToolCallRecord]:
    """Run one step's calls concurrently: async tools with ``gather``, sync tools in worker threads."""
    return await _gather([prepare(call, toolset, secrets) for call in calls], offload_sync=True)


async def _gather(prepared: list[Ready | ToolCallRecord], *, offload_sync: bool) -> list[ToolCallRecord]:
    async def one(p: Ready | ToolCallRecord) -> ToolCallRecord:
        return await run_async(p, offload_sync=offload_sync) if isinstance(p, Ready) else p

    return list(await asyncio.gather(*(one(p) for p in prepared)))


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code; in a helper thread if this one runs a loop already."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _await(value: Awaitable[T]) -> T:
    return await value


def render(value: Any) -> str:
    """The text the model receives for a return value: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return to_json(value, fallback=str).decode()


def _succeeded(ready: Ready, value: Any, duration: float) -> ToolCallRecord:
    try:
        content = render(value)
        problem = text_problem(content)
        if problem is not None:
            raise ValueError(f"the tool returned text that {problem}, which no provider takes")
    except Exception as exc:
        return _raised(ready, exc, duration)
    return ToolCallRecord(
        id=ready.call.id,
        name=ready.tool.name,
        arguments=ready.call.arguments,
        content=content,
        result=value,
        duration_s=duration,
    )


def _raised(ready: Ready, exc: Exception, duration: float) -> ToolCallRecord:
    error = f"tool {ready.tool.name!r} failed: {_exception_summary(exc, ready.secrets)}"
    return ToolCallRecord(
        id=ready.call.id,
        name=ready.tool.name,
        arguments=ready.call.arguments,
        content=f"error: {error}",
        error=error,
        duration_s=duration,
    )


def _exception_summary(exc: Exception, secrets: Sequence[str]) -> str:
    """``Type: message``, scrubbed, then cut to ``MAX_ERROR_CHARS``; never a traceback, which would show
    our code and the values in its frames to the provider."""
    try:
        message = str(exc)
    except Exception:
        message = "(its message could not be read)"
    text = escape_unsendable(redact(f"{type(exc).__name__}: {message}", secrets))
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def _failed(call: ToolCall, error: str, secrets: Sequence[str]) -> ToolCallRecord:
    error = escape_unsendable(redact(error, secrets))
    return ToolCallRecord(
        id=call.id,
        name=call.name,
        arguments=None if call.raw_arguments is not None else call.arguments,
        content=f"error: {error}",
        error=error,
        raw_arguments=call.raw_arguments,
    )


def _json_problem(raw: str) -> str:
    shown = repr(raw if len(raw) <= 120 else raw[:117] + "...")
    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"{shown}: {exc.msg} at character {exc.pos}"
    return f"{shown} is JSON but not an object"
