"""LiteLLM's OpenAI-shaped objects → the port's provider-neutral values. Reads attributes defensively:
providers vary."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from llm_resolver.backend.port import Delta, Reply
from llm_resolver.errors import LLMResponseError
from llm_resolver.types.messages import Message, ToolCall
from llm_resolver.types.responses import ChatChunk, ToolCallDelta, Usage


def _attr(obj: Any, name: str) -> Any:
    """``getattr(obj, name, None)`` without its slow miss. LiteLLM's pydantic objects keep a delta's
    fields among their extras and drop unset ones (a chunk's usage), and pydantic's ``__getattr__``
    finds an extra in 2-3 µs and a missing one by raising, 6-8 µs: several times on every chunk. So
    the instance's values, extras and private attributes are read first, then ordinary lookup
    (properties); a pydantic model's ``__getattr__`` would find nothing more."""
    values = getattr(obj, "__dict__", None)
    if values is not None and name in values:
        return values[name]
    extra = getattr(obj, "__pydantic_extra__", None)
    if extra is not None and name in extra:
        return extra[name]
    private = getattr(obj, "__pydantic_private__", None)
    if private is not None and name in private:
        return private[name]
    try:
        return object.__getattribute__(obj, name)
    except AttributeError:
        return None if isinstance(obj, BaseModel) else getattr(obj, name, None)


def usage_from(obj: Any) -> Usage | None:
    usage = _attr(obj, "usage")
    if usage is None:
        return None
    prompt = int(_attr(usage, "prompt_tokens") or 0)
    completion = int(_attr(usage, "completion_tokens") or 0)
    total = int(_attr(usage, "total_tokens") or 0) or prompt + completion
    details = _attr(usage, "prompt_tokens_details")
    cached = int(_attr(details, "cached_tokens") or 0) if details is not None else 0
    if not cached:
        cached = int(_attr(usage, "cache_read_input_tokens") or 0)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total, cached_tokens=cached)


def message_from(response: Any, model: str) -> tuple[Message, str | None]:
    """The first choice's message and finish reason; a reply without choices is malformed."""
    choices = _attr(response, "choices")
    if not choices:
        raise LLMResponseError(f"{model} returned no choices; the reply was empty or malformed", model=model)
    choice = choices[0]
    msg = _attr(choice, "message")
    content = _attr(msg, "content")
    calls = [
        ToolCall.from_wire(
            str(c.id or f"call_{i}"), str(c.function.name or ""), c.function.arguments, reply=True
        )
        for i, c in enumerate(_attr(msg, "tool_calls") or [])
    ]
    message = Message.from_reply(content if isinstance(content, str) else None, calls)
    return message, _attr(choice, "finish_reason")


def chunk_from(chunk: Any) -> ChatChunk | None:
    """A streamed delta, or None for chunks that carry nothing for the caller (usage-only, empty).
    Validated as built: for models this small, pydantic's validator is about twice as fast as its
    ``model_construct``, which runs in Python."""
    choices = _attr(chunk, "choices")
    if not choices:
        return None
    choice = choices[0]
    delta = _attr(choice, "delta")
    content = _attr(delta, "content")
    text = content if isinstance(content, str) else ""
    deltas = [_call_delta(i, c) for i, c in enumerate(_attr(delta, "tool_calls") or [])]
    finish = _attr(choice, "finish_reason")
    if not text and not deltas and finish is None:
        return None
    return ChatChunk(text=text, tool_calls=deltas, finish_reason=_text(finish))


def _call_delta(position: int, call: Any) -> ToolCallDelta:
    function = _attr(call, "function")
    return ToolCallDelta(
        index=int(getattr(call, "index", position) or 0),
        id=_text(_attr(call, "id")),
        name=_text(_attr(function, "name")) if function else None,
        arguments=str(_attr(function, "arguments") or "") if function else "",
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def reply_from(response: Any, model: str) -> Reply:
    """The reply, with the cost LiteLLM already computed for it (None when it could not price it)."""
    message, finish = message_from(response, model)
    hidden = _attr(response, "_hidden_params")
    cost = hidden.get("response_cost") if isinstance(hidden, dict) else None
    return Reply(
        message=message,
        finish_reason=finish,
        usage=usage_from(response),
        cost_usd=float(cost) if isinstance(cost, int | float) else None,
        raw=response,
    )


def delta_from(raw: Any) -> Delta:
    usage = usage_from(raw)
    if usage is not None and not (usage.prompt_tokens or usage.completion_tokens):
        usage = None
    return Delta(chunk=chunk_from(raw), usage=usage)


def vectors_from(raw: Any, expected: int, model: str) -> list[list[float]]:
    """One vector per input, put back in input order by ``index``."""
    data = _attr(raw, "data")
    if not isinstance(data, list) or len(data) != expected:
        got = len(data) if isinstance(data, list) else "no"
        raise LLMResponseError(f"{model} returned {got} vectors for {expected} inputs", model=model)
    try:
        items = sorted(data, key=lambda item: int(_field(item, "index")))
        if [int(_field(item, "index")) for item in items] != list(range(expected)):
            raise ValueError("indexes are not 0..n-1")
        return [[float(x) for x in _field(item, "embedding")] for item in items]
    except (TypeError, ValueError, KeyError) as exc:
        raise LLMResponseError(f"{model} sent vectors we could not read ({exc})", model=model) from None


def _field(item: Any, name: str) -> Any:
    return item[name] if isinstance(item, dict) else getattr(item, name)
