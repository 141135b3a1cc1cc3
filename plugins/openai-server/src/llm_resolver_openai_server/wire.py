"""OpenAI's chat-completions and embeddings wire format, to and from llm-resolver's types.

Bodies are read against an allow-list: each field is one this server acts on, one it knowingly ignores
(named in the ``x-llm-resolver-ignored`` response header), or refused by name, so nothing a client sends
reaches LiteLLM unread (an ``api_base`` would send the server's upstream key elsewhere). ``null`` means
unset. Content parts are text or ``image_url`` only, so a remote client can never hand a content loader
a local path; ``n`` must be 1.
"""

from __future__ import annotations

import base64
import struct
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from llm_resolver import ChatChunk, ChatRequest, ChatResponse, EmbeddingResponse, Message, Usage

IGNORED_HEADER = "x-llm-resolver-ignored"


# OpenAI body fields that are ChatRequest fields under the same name.
_SAME = (
    "tools",
    "tool_choice",
    "response_format",
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "seed",
    "frequency_penalty",
    "presence_penalty",
)
# Fields with no ChatRequest field, passed on as provider_options (which checks their values).
_PASSED = ("parallel_tool_calls", "logit_bias", "reasoning_effort")
_CHAT_TAKEN = frozenset(
    {"model", "messages", "stream", "stream_options", "n", "user", "max_completion_tokens", *_SAME, *_PASSED}
)
# Storage, billing tier and caching hints of OpenAI's own service: they change nothing in the answer.
_CHAT_IGNORED = frozenset({"store", "metadata", "service_tier", "prompt_cache_key", "safety_identifier"})
_CHAT_REFUSED = {
    "functions": "functions is deprecated and not taken; send tools instead",
    "function_call": "function_call is deprecated and not taken; send tool_choice instead",
}
_EMBEDDINGS_TAKEN = frozenset({"model", "input", "encoding_format", "dimensions"})
_EMBEDDINGS_IGNORED = frozenset({"user"})
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
    ignored: tuple[str, ...]


@dataclass(frozen=True)
class EmbeddingsCall:
    model: str
    texts: list[str]
    options: dict[str, Any]  # for LLM.aembed
    base64: bool
    ignored: tuple[str, ...]


def chat_call(body: Any) -> ChatCall:
    fields, ignored = _fields(body, _CHAT_TAKEN, _CHAT_IGNORED, _CHAT_REFUSED)
    model = _model(fields)
    messages = fields.get("messages")
    if not isinstance(messages, list) or not messages:
        raise WireError("messages must be a non-empty list", "messages")
    for index, message in enumerate(messages):
        _check_parts(message, index)
    n = fields.get("n", 1)
    if n != 1 or isinstance(n, bool):
        raise WireError("n must be 1: this server returns one choice", "n")
    stream = fields.get("stream", False)
    if not isinstance(stream, bool):
        raise WireError("stream must be true or false", "stream")
    user = fields.get("user")
    if user is not None and not isinstance(user, str):
        raise WireError("user must be a string", "user")
    same: dict[str, Any] = {name: fields[name] for name in _SAME if name in fields}
    if "max_completion_tokens" in fields:
        limit = fields["max_completion_tokens"]
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise WireError("max_completion_tokens must be an integer", "max_completion_tokens")
        same.setdefault("max_tokens", limit)
    passed = {name: fields[name] for name in _PASSED if name in fields}
    metadata = {"user": user} if user is not None else {}
    try:
        request = ChatRequest(messages=messages, provider_options=passed, metadata=metadata, **same)
    except ValidationError as exc:
        raise WireError(_first_line(exc), _field_of(exc)) from None
    except ValueError as exc:
        raise WireError(_first_line(exc)) from None
    return ChatCall(model, request, stream, _include_usage(fields.get("stream_options")), ignored)


def embeddings_call(body: Any) -> EmbeddingsCall:
    fields, ignored = _fields(body, _EMBEDDINGS_TAKEN, _EMBEDDINGS_IGNORED, {})
    model, texts = _model(fields), fields.get("input")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise WireError(
            "input must be a string or a non-empty list of strings (token arrays are not taken)", "input"
        )
    encoding = fields.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise WireError(f"encoding_format must be float or base64, not {encoding!r}", "encoding_format")
    # dimensions is checked by aembed itself, before any request
    options = {"dimensions": fields["dimensions"]} if "dimensions" in fields else {}
    return EmbeddingsCall(model, texts, options, encoding == "base64", ignored)


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


def embeddings_body(response: EmbeddingResponse, model: str, as_base64: bool) -> dict[str, Any]:
    vectors = [_base64(v) if as_base64 else v for v in response.vectors]
    return {
        "object": "list",
        "model": model,
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
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


def _fields(
    body: Any, taken: frozenset[str], ignored: frozenset[str], refused: Mapping[str, str]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The fields ``body`` sets (``null``: unset) among ``taken``, and those it sets among ``ignored``;
    any other field is refused by name."""
    if not isinstance(body, dict):
        raise WireError("the body must be a JSON object")
    given = {name: value for name, value in body.items() if value is not None}
    for name in given:
        if name in refused:
            raise WireError(refused[name], name)
        if name not in taken and name not in ignored:
            known = ", ".join(sorted(taken | ignored))
            raise WireError(f"{name!r} is not a field this server takes; remove it (it takes: {known})", name)
    return {k: v for k, v in given.items() if k in taken}, tuple(sorted(k for k in given if k in ignored))


def _model(fields: Mapping[str, Any]) -> str:
    model = fields.get("model")
    if not isinstance(model, str) or not model:
        raise WireError(
            "model is required: the name of one of this server's models (GET /v1/models)", "model"
        )
    return model


def _include_usage(options: Any) -> bool:
    if options is None:
        return False
    if not isinstance(options, dict):
        raise WireError("stream_options must be an object", "stream_options")
    for key, value in options.items():
        if key != "include_usage" and value is not None:
            raise WireError(
                f"stream_options.{key} is not taken; this server takes only stream_options.include_usage",
                f"stream_options.{key}",
            )
    include = options.get("include_usage")
    if include is not None and not isinstance(include, bool):
        raise WireError("stream_options.include_usage must be true or false", "stream_options.include_usage")
    return include is True


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


def _base64(vector: list[float]) -> str:
    """As OpenAI sends it: the vector's little-endian float32 bytes, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def _field_of(exc: ValidationError) -> str | None:
    """The body field the first error is about (pydantic's location starts with it)."""
    error = exc.errors()[0]
    location, context = error["loc"], error.get("ctx") or {}
    if location and location[0] == "provider_options":  # the core names the option it refused
        return str(context.get("key") or context.get("where") or "provider_options").split(".")[0]
    return str(location[0]) if location else None


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:500]
