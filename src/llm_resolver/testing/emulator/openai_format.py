"""OpenAI wire format: chat completions (JSON and SSE), embeddings, model listing, errors."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from typing import Any

from .completion import Completion, estimate_tokens
from .script import CONTENT_POLICY, CONTEXT_WINDOW
from .wire import (
    ChatRequest,
    ErrorResponse,
    JSONObject,
    SseStream,
    all_text_of,
    last_text_of,
    retry_after_headers,
    split_arguments,
    sse_event,
    str_or_none,
)

EMBEDDING_DIMENSIONS = 8
_FINGERPRINT = "fp_emulator"
_CREATED = 1_700_000_000

# status -> (type, code, default message), as the OpenAI API sends them.
_STATUS_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request: the emulator was scripted to reject it."),
    401: (
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided: x. You can find your API key at https://platform.openai.com/account/api-keys.",
    ),
    404: (
        "invalid_request_error",
        "model_not_found",
        "The model does not exist or you do not have access to it.",
    ),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Try again later.",
    ),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
}
_CODE_ERRORS: dict[str, tuple[str, str | None, str]] = {
    CONTEXT_WINDOW: (
        "invalid_request_error",
        "messages",
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. "
        "Please reduce the length of the messages.",
    ),
    CONTENT_POLICY: (
        "invalid_request_error",
        "prompt",
        "Your request was rejected as a result of our safety system: it was flagged by the content "
        "management policy (content_filter).",
    ),
}


class OpenAIChat:
    """``POST /v1/chat/completions``."""

    def parse(self, body: JSONObject, path_model: str | None, stream_path: bool) -> ChatRequest:
        messages = body.get("messages")
        options = body.get("stream_options")
        return ChatRequest(
            model=str_or_none(body.get("model")),
            stream=body.get("stream") is True,
            prompt_text=all_text_of(messages, "content"),
            last_user_text=last_text_of(messages, "user", "content"),
            include_usage=isinstance(options, dict) and options.get("include_usage") is True,
        )

    def response(self, completion: Completion, model: str, seq: int) -> JSONObject:
        message: JSONObject = {"role": "assistant", "content": completion.text, "refusal": None}
        if completion.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in completion.tool_calls
            ]
        return {
            "id": f"chatcmpl-emu-{seq}",
            "object": "chat.completion",
            "created": _CREATED,
            "model": model,
            "system_fingerprint": _FINGERPRINT,
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": completion.finish_reason}
            ],
            "usage": _usage(completion),
        }

    def stream(self, completion: Completion, model: str, seq: int, include_usage: bool) -> SseStream:
        base: JSONObject = {
            "id": f"chatcmpl-emu-{seq}",
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": model,
            "system_fingerprint": _FINGERPRINT,
        }
        if include_usage:
            base["usage"] = None

        def chunk(delta: JSONObject, finish_reason: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return sse_event({**base, "choices": [choice]})

        events = [chunk({"role": "assistant", "content": "", "refusal": None})]
        events += [chunk({"content": piece}) for piece in completion.pieces]
        for index, call in enumerate(completion.tool_calls):
            opening = {
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            events.append(chunk({"tool_calls": [opening]}))
            events += [
                chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})
                for fragment in split_arguments(call.arguments)
            ]
        events.append(chunk({}, completion.finish_reason))
        if include_usage:
            events.append(sse_event({**base, "choices": [], "usage": _usage(completion)}))
        events.append(sse_event("[DONE]"))
        return SseStream(events, prefix=1)

    def raw_stream(self, payload: JSONObject) -> SseStream:
        return SseStream([sse_event(payload), sse_event("[DONE]")])

    def malformed_stream(self) -> SseStream:
        return SseStream([sse_event('{"id": "chatcmpl-emu", "choices": [{"delta": '), sse_event("[DONE]")])


def openai_error(
    status: int, code: str | None, message: str | None, retry_after: float | None
) -> ErrorResponse:
    """OpenAI's ``{"error": {message, type, param, code}}`` body, shaped so LiteLLM classifies it.

    Like the real API, a 401 is an ``invalid_request_error``; LiteLLM only calls it an authentication error
    while the message says "Incorrect API key provided" (the default), so a custom 401 message reads as a
    bad request, exactly as it would against OpenAI.
    """
    param: str | None = None
    if code in _CODE_ERRORS:
        error_type, param, default = _CODE_ERRORS[code]
    else:
        fallback = ("invalid_request_error", None, "The request was rejected.")
        if status >= 500:
            fallback = ("server_error", None, "The server is overloaded or not ready yet.")
        error_type, code, default = _STATUS_ERRORS.get(status, fallback)
    headers = retry_after_headers(retry_after)
    if status == 429:
        headers |= {"x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0"}
    body = {"error": {"message": message or default, "type": error_type, "param": param, "code": code}}
    return ErrorResponse(body, headers)


def embedding_vector(text: str) -> list[float]:
    """A deterministic vector per text; every value is exact in float32 so base64 round-trips equal."""
    digest = hashlib.sha256(text.encode()).digest()
    return [(byte - 128) / 128 for byte in digest[:EMBEDDING_DIMENSIONS]]


def embeddings_response(body: JSONObject, prompt_tokens: int | None) -> JSONObject:
    """``POST /v1/embeddings``: one vector per input, in input order."""
    texts = _embedding_inputs(body.get("input"))
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(texts):
        vector = embedding_vector(text)
        encoded: Any = (
            base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode() if as_base64 else vector
        )
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = prompt_tokens if prompt_tokens is not None else sum(estimate_tokens(t) for t in texts)
    return {
        "object": "list",
        "data": data,
        "model": str_or_none(body.get("model")) or "",
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def models_listing(ids: list[str]) -> JSONObject:
    """``GET /v1/models`` in OpenAI's shape."""
    return {
        "object": "list",
        "data": [{"id": i, "object": "model", "created": _CREATED, "owned_by": "system"} for i in ids],
    }


def _embedding_inputs(value: object) -> list[str]:
    """Inputs as texts: a string, a list of strings, or token lists (keyed by their JSON)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return [json.dumps(value)]
    if isinstance(value, list):
        return [v if isinstance(v, str) else json.dumps(v) for v in value]
    return []


def _usage(completion: Completion) -> JSONObject:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.total_tokens,
        "prompt_tokens_details": {"cached_tokens": completion.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }
