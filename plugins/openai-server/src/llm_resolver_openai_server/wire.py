"""OpenAI's chat-completions and embeddings wire format, to and from llm-resolver's types.

Bodies are read against an allow-list (``fields.read_fields``), so nothing a client sends reaches
LiteLLM unread (an ``api_base`` would send the server's upstream key elsewhere). Content parts are text
or ``image_url`` only, so a remote client can never hand a content loader a local path; ``n`` must be
1; ``developer`` (what newer SDKs send for system prompts) is a system message.
"""

from __future__ import annotations

import base64
import struct
import time
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from llm_resolver import ChatChunk, ChatRequest, ChatResponse, EmbeddingResponse, Message, Usage
from llm_resolver_openai_server.fields import (
    WireError,
    check_types,
    model_name,
    read_fields,
    validation_error,
)

IGNORED_HEADER = "x-llm-resolver-ignored"
CHUNK = "chat.completion.chunk"


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
_EMBEDDINGS_TAKEN = frozenset({"model", "input", "encoding_format", "dimensions", "user"})
_EMBEDDINGS_IGNORED: frozenset[str] = frozenset()
_PART_TYPES = frozenset({"text", "image_url"})
# OpenAI's JSON types (pydantic's lax mode would take "0.5" as a number and true as an integer).
_CHAT_TYPES = {
    "n": "integer",
    "max_tokens": "integer",
    "max_completion_tokens": "integer",
    "seed": "integer",
    "temperature": "number",
    "top_p": "number",
    "frequency_penalty": "number",
    "presence_penalty": "number",
    "stream": "boolean",
    "parallel_tool_calls": "boolean",
    "user": "string",
    "reasoning_effort": "string",
    "logit_bias": "object",
    "response_format": "object",
    "tools": "array",
}


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
    texts: list[str]  # empty when the input is token arrays
    tokens: list[list[int]]  # token arrays, for the model's tokenizer to decode
    options: dict[str, Any]  # for LLM.aembed
    base64: bool
    ignored: tuple[str, ...]


def chat_call(body: Any) -> ChatCall:
    fields, ignored = read_fields(body, _CHAT_TAKEN, _CHAT_IGNORED, _CHAT_REFUSED)
    model = model_name(fields)
    messages = fields.get("messages")
    if not isinstance(messages, list) or not messages:
        raise WireError("messages must be a non-empty list", "messages")
    for index, message in enumerate(messages):
        _check_parts(message, index)
    check_types(fields, _CHAT_TYPES)
    if fields.get("n", 1) != 1:
        raise WireError("n must be 1: this server returns one choice", "n")
    same: dict[str, Any] = {name: fields[name] for name in _SAME if name in fields}
    if "max_completion_tokens" in fields:
        same.setdefault("max_tokens", fields["max_completion_tokens"])
    passed = {name: fields[name] for name in _PASSED if name in fields}
    request = chat_request(messages, same, passed, fields.get("user"))
    stream = fields.get("stream", False)
    return ChatCall(model, request, stream, include_usage(fields.get("stream_options")), ignored)


def chat_request(
    messages: list[Any], same: dict[str, Any], passed: dict[str, Any], user: str | None
) -> ChatRequest:
    """The request every route builds, its validation errors as one sentence naming the field."""
    metadata = {"user": user} if user is not None else {}
    try:
        return ChatRequest(
            messages=[_system_if_developer(m) for m in messages],
            provider_options=passed,
            metadata=metadata,
            **same,
        )
    except ValidationError as exc:
        raise validation_error(exc) from None


def embeddings_call(body: Any) -> EmbeddingsCall:
    fields, ignored = read_fields(body, _EMBEDDINGS_TAKEN, _EMBEDDINGS_IGNORED, {})
    model = model_name(fields)
    check_types(fields, {"dimensions": "integer", "encoding_format": "string", "user": "string"})
    texts, tokens = _embedding_input(fields.get("input"))
    encoding = fields.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise WireError(f"encoding_format must be float or base64, not {encoding!r}", "encoding_format")
    # dimensions' range is checked by aembed itself, before any request
    options: dict[str, Any] = {"dimensions": fields["dimensions"]} if "dimensions" in fields else {}
    if "user" in fields:  # the end user, for the provider's abuse monitoring (length checked by the core)
        options["provider_options"] = {"user": fields["user"]}
    return EmbeddingsCall(model, texts, tokens, options, encoding == "base64", ignored)


def _embedding_input(given: Any) -> tuple[list[str], list[list[int]]]:
    """A string, a list of strings, one token array, or a list of token arrays (what LangChain's
    ``OpenAIEmbeddings`` sends by default)."""
    if isinstance(given, str):
        given = [given]
    if isinstance(given, list) and given and all(isinstance(t, str) for t in given):
        return given, []
    if isinstance(given, list) and given and all(_is_token(t) for t in given):
        given = [given]
    if isinstance(given, list) and given and all(isinstance(a, list) for a in given):
        for index, array in enumerate(given):
            if not array or not all(_is_token(t) for t in array):
                raise WireError(
                    f"input[{index}] must be a non-empty array of token ids (non-negative integers)",
                    "input",
                )
        return [], given
    raise WireError(
        "input must be a string, a non-empty list of strings, or token arrays (lists of integers)", "input"
    )


def _is_token(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _system_if_developer(message: Any) -> Any:
    """OpenAI's ``developer`` role is its newer name for ``system``."""
    if isinstance(message, dict) and message.get("role") == "developer":
        return {**message, "role": "system"}
    return message


def completion_body(response: ChatResponse, model: str) -> dict[str, Any]:
    return {
        "id": new_id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": _message(response.message), "finish_reason": response.finish_reason}
        ],
        "usage": usage_body(response.usage),
        "llm_resolver": extras(response),
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
    return envelope(
        CHUNK, stream_id, model, [{"index": 0, "delta": delta, "finish_reason": chunk.finish_reason}]
    )


def usage_chunk_body(response: ChatResponse, model: str, stream_id: str) -> dict[str, Any]:
    """The last chunk when the client asked for ``stream_options.include_usage``."""
    return {
        **envelope(CHUNK, stream_id, model, []),
        "usage": usage_body(response.usage),
        "llm_resolver": extras(response),
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
    return new_id("chatcmpl")


def include_usage(options: Any) -> bool:
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


def extras(response: ChatResponse) -> dict[str, Any]:
    """What OpenAI's format has no field for: the model that answered, the cost, the attempts."""
    return {
        "model": response.model,
        "cost_usd": response.cost_usd,
        "cached": response.cached,
        # an attempt's detail quotes the provider, which may name internal hosts: the server log has it
        "attempts": [a.model_dump(exclude_none=True, exclude={"detail"}) for a in response.attempts],
    }


def envelope(kind: str, object_id: str, model: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields every chat chunk and text completion starts with (``kind`` is OpenAI's ``object``)."""
    return {"id": object_id, "object": kind, "created": int(time.time()), "model": model, "choices": choices}


def new_id(prefix: str, separator: str = "-") -> str:
    """An id as OpenAI writes them: ``chatcmpl-…`` and ``cmpl-…``; the Responses API's ``resp_…``."""
    return f"{prefix}{separator}{uuid.uuid4().hex}"


def _base64(vector: list[float]) -> str:
    """As OpenAI sends it: the vector's little-endian float32 bytes, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
