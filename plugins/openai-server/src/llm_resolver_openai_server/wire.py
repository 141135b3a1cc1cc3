"""OpenAI's chat-completions and embeddings wire format, to and from llm-resolver's types.

Requests are read strictly: content parts are text or ``image_url`` only, so a remote client can never
hand a content loader a local path; ``n`` must be 1; other OpenAI parameters go to the provider as they
are (``provider_options``), where LiteLLM maps or refuses them.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from llm_resolver import ChatChunk, ChatRequest, ChatResponse, EmbeddingResponse, Message, Usage

# OpenAI body fields that are ChatRequest fields under the same name.
_SAME = ("tools", "tool_choice", "response_format", "temperature", "top_p", "max_tokens", "stop", "seed")
# Fields this server handles itself; every other field is passed to the provider.
_OWN = frozenset(
    {"model", "messages", "stream", "stream_options", "n", "user", "max_completion_tokens", *_SAME}
)
_PART_TYPES = frozenset({"text", "image_url"})


class WireError(ValueError):
    """A request this server cannot take; ``param`` names the field, as OpenAI's errors do."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class ChatCall:
    model: str
    request: ChatRequest
    stream: bool
    include_usage: bool


def chat_call(body: Any) -> ChatCall:
    if not isinstance(body, dict):
        raise WireError("the body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise WireError(
            "model is required: the name of one of this server's models (GET /v1/models)", "model"
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise WireError("messages must be a non-empty list", "messages")
    for index, message in enumerate(messages):
        _check_parts(message, index)
    if body.get("n", 1) != 1:
        raise WireError("n must be 1: this server returns one choice", "n")
    fields: dict[str, Any] = {name: body[name] for name in _SAME if body.get(name) is not None}
    if body.get("max_completion_tokens") is not None:
        fields.setdefault("max_tokens", body["max_completion_tokens"])
    passed = {k: v for k, v in body.items() if k not in _OWN and v is not None}
    metadata = {"user": body["user"]} if isinstance(body.get("user"), str) else {}
    try:
        request = ChatRequest(messages=messages, provider_options=passed, metadata=metadata, **fields)
    except ValueError as exc:
        raise WireError(_first_line(exc)) from None
    options = body.get("stream_options")
    include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
    return ChatCall(model, request, bool(body.get("stream")), include_usage)


def embeddings_call(body: Any) -> tuple[str, list[str]]:
    if not isinstance(body, dict):
        raise WireError("the body must be a JSON object")
    model, texts = body.get("model"), body.get("input")
    if not isinstance(model, str) or not model:
        raise WireError(
            "model is required: the name of one of this server's models (GET /v1/models)", "model"
        )
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise WireError(
            "input must be a string or a non-empty list of strings (token arrays are not taken)", "input"
        )
    return model, texts


def completion_body(response: ChatResponse, model: str) -> dict[str, Any]:
    return {
        "id": _id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": _message(response.message), "finish_reason": response.finish_reason}
        ],
        "usage": usage_body(response.usage),
        "llm_resolver": _extras(response),
    }


def chunk_body(chunk: ChatChunk, model: str, stream_id: str, first: bool) -> dict[str, Any]:
    delta: dict[str, Any] = {"role": "assistant"} if first else {}
    if chunk.text:
        delta["content"] = chunk.text
    if chunk.tool_calls:
        delta["tool_calls"] = [
            {
                "index": d.index,
                **({"id": d.id, "type": "function"} if d.id else {}),
                "function": {**({"name": d.name} if d.name else {}), "arguments": d.arguments},
            }
            for d in chunk.tool_calls
        ]
    return _chunk(stream_id, model, [{"index": 0, "delta": delta, "finish_reason": chunk.finish_reason}])


def usage_chunk_body(response: ChatResponse, model: str, stream_id: str) -> dict[str, Any]:
    """The last chunk when the client asked for ``stream_options.include_usage``."""
    return {
        **_chunk(stream_id, model, []),
        "usage": usage_body(response.usage),
        "llm_resolver": _extras(response),
    }


def embeddings_body(response: EmbeddingResponse, model: str) -> dict[str, Any]:
    return {
        "object": "list",
        "model": model,
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(response.vectors)],
        "usage": {"prompt_tokens": response.usage.prompt_tokens, "total_tokens": response.usage.total_tokens},
    }


def usage_body(usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
    }


def new_stream_id() -> str:
    return _id("chatcmpl")


def _check_parts(message: Any, index: int) -> None:
    if not isinstance(message, dict):
        raise WireError(f"messages[{index}] must be an object", f"messages[{index}]")
    content = message.get("content")
    if isinstance(content, list):
        for number, part in enumerate(content):
            kind = part.get("type") if isinstance(part, dict) else None
            if kind not in _PART_TYPES:
                raise WireError(
                    f"messages[{index}].content[{number}]: type {kind!r} is not taken; send text or image_url parts",
                    f"messages[{index}].content[{number}].type",
                )


def _message(message: Message) -> dict[str, Any]:
    out = message.to_openai()
    out.setdefault("content", None)
    return out


def _extras(response: ChatResponse) -> dict[str, Any]:
    """What OpenAI's format has no field for: the model that answered, the cost, the attempts."""
    return {
        "model": response.model,
        "cost_usd": response.cost_usd,
        "cached": response.cached,
        # an attempt's detail quotes the provider, which may name internal hosts: the server log has it
        "attempts": [a.model_dump(exclude_none=True, exclude={"detail"}) for a in response.attempts],
    }


def _chunk(stream_id: str, model: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": stream_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
    }


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:500]
