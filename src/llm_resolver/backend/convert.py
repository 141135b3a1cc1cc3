"""LiteLLM's OpenAI-shaped objects → the port's provider-neutral values. Reads attributes defensively:
providers vary."""

from __future__ import annotations

from typing import Any

from llm_resolver.backend.port import Delta, Reply
from llm_resolver.errors import LLMResponseError
from llm_resolver.types.messages import Message, ToolCall
from llm_resolver.types.responses import ChatChunk, ToolCallDelta, Usage


def usage_from(obj: Any) -> Usage | None:
    usage = getattr(obj, "usage", None)
    if usage is None:
        return None
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion = int(getattr(usage, "completion_tokens", 0) or 0)
    total = int(getattr(usage, "total_tokens", 0) or 0) or prompt + completion
    details = getattr(usage, "prompt_tokens_details", None)
    cached = int(getattr(details, "cached_tokens", 0) or 0) if details is not None else 0
    if not cached:
        cached = int(getattr(usage, "cache_read_input_tokens", 0) or 0)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total, cached_tokens=cached)


def message_from(response: Any, model: str) -> tuple[Message, str | None]:
    """The first choice's message and finish reason; a reply without choices is malformed."""
    choices = getattr(response, "choices", None)
    if not choices:
        raise LLMResponseError(f"{model} returned no choices; the reply was empty or malformed", model=model)
    choice = choices[0]
    msg = getattr(choice, "message", None)
    content = getattr(msg, "content", None)
    calls = [
        ToolCall.from_wire(
            str(c.id or f"call_{i}"), str(c.function.name or ""), c.function.arguments, reply=True
        )
        for i, c in enumerate(getattr(msg, "tool_calls", None) or [])
    ]
    message = Message.from_reply(content if isinstance(content, str) else None, calls)
    return message, getattr(choice, "finish_reason", None)


def chunk_from(chunk: Any) -> ChatChunk | None:
    """A streamed delta, or None for chunks that carry nothing for the caller (usage-only, empty).
    Validated as built: for models this small, pydantic's validator is about twice as fast as its
    ``model_construct``, which runs in Python."""
    choices = getattr(chunk, "choices", None)
    if not choices:
        return None
    choice = choices[0]
    delta = getattr(choice, "delta", None)
    content = getattr(delta, "content", None)
    text = content if isinstance(content, str) else ""
    deltas = [
        ToolCallDelta(
            index=int(getattr(c, "index", i) or 0),
            id=_text(getattr(c, "id", None)),
            name=_text(getattr(c.function, "name", None)) if getattr(c, "function", None) else None,
            arguments=str(getattr(c.function, "arguments", None) or "")
            if getattr(c, "function", None)
            else "",
        )
        for i, c in enumerate(getattr(delta, "tool_calls", None) or [])
    ]
    finish = getattr(choice, "finish_reason", None)
    if not text and not deltas and finish is None:
        return None
    return ChatChunk(text=text, tool_calls=deltas, finish_reason=_text(finish))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def reply_from(response: Any, model: str) -> Reply:
    """The reply, with the cost LiteLLM already computed for it (None when it could not price it)."""
    message, finish = message_from(response, model)
    hidden = getattr(response, "_hidden_params", None)
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
    data = getattr(raw, "data", None)
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
