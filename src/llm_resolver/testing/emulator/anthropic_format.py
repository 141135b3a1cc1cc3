"""Anthropic wire format: messages (JSON and SSE), model listing, errors."""

from __future__ import annotations

from .completion import Completion
from .script import CONTENT_POLICY, CONTEXT_WINDOW
from .wire import (
    ChatRequest,
    ErrorResponse,
    JSONObject,
    SseStream,
    all_text_of,
    joined_text,
    last_text_of,
    retry_after_headers,
    split_arguments,
    sse_event,
    str_or_none,
)

_STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
}

# status -> (error type, default message), as the Anthropic API sends them.
_STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request: the emulator was scripted to reject it."),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "The requested resource could not be found."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: (
        "rate_limit_error",
        "Number of requests has exceeded your per-minute rate limit. Please try again later.",
    ),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}
_CODE_ERRORS: dict[str, tuple[str, str]] = {
    CONTEXT_WINDOW: ("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
    CONTENT_POLICY: ("invalid_request_error", "Output blocked by content filtering policy"),
}


class AnthropicChat:
    """``POST /v1/messages``."""

    def parse(self, body: JSONObject, path_model: str | None, stream_path: bool) -> ChatRequest:
        messages = body.get("messages")
        return ChatRequest(
            model=str_or_none(body.get("model")),
            stream=body.get("stream") is True,
            prompt_text=joined_text(body.get("system")) + "\n" + all_text_of(messages, "content"),
            last_user_text=last_text_of(messages, "user", "content"),
            include_usage=True,
        )

    def response(self, completion: Completion, model: str, seq: int) -> JSONObject:
        content: list[JSONObject] = []
        if completion.text is not None:
            content.append({"type": "text", "text": completion.text})
        content += [
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments_object()}
            for c in completion.tool_calls
        ]
        return {
            "id": f"msg_emu_{seq}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": _stop_reason(completion),
            "stop_sequence": None,
            "usage": {**_input_usage(completion), "output_tokens": completion.completion_tokens},
        }

    def stream(self, completion: Completion, model: str, seq: int, include_usage: bool) -> SseStream:
        message: JSONObject = {
            "id": f"msg_emu_{seq}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
        }
        if include_usage:
            message["usage"] = {**_input_usage(completion), "output_tokens": 1}
        events = [sse_event({"type": "message_start", "message": message}, "message_start")]
        blocks: list[tuple[JSONObject, list[JSONObject]]] = []
        if completion.text is not None:
            deltas = [{"type": "text_delta", "text": piece} for piece in completion.pieces]
            blocks.append(({"type": "text", "text": ""}, deltas))
        for call in completion.tool_calls:
            opening = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
            deltas = [
                {"type": "input_json_delta", "partial_json": f} for f in split_arguments(call.arguments)
            ]
            blocks.append((opening, deltas))
        prefix = 2 if blocks else 1
        for index, (opening, deltas) in enumerate(blocks):
            events.append(_event("content_block_start", index=index, content_block=opening))
            events += [_event("content_block_delta", index=index, delta=delta) for delta in deltas]
            events.append(_event("content_block_stop", index=index))
        final: JSONObject = {
            "type": "message_delta",
            "delta": {"stop_reason": _stop_reason(completion), "stop_sequence": None},
        }
        if include_usage:
            final["usage"] = {"output_tokens": completion.completion_tokens}
        events.append(sse_event(final, "message_delta"))
        events.append(_event("message_stop"))
        return SseStream(events, prefix=prefix)

    def raw_stream(self, payload: JSONObject) -> SseStream:
        return SseStream([sse_event(payload, str_or_none(payload.get("type")))])

    def malformed_stream(self) -> SseStream:
        return SseStream([sse_event('{"type": "message_start", "message": {', "message_start")])


def anthropic_error(
    status: int, code: str | None, message: str | None, retry_after: float | None
) -> ErrorResponse:
    """Anthropic's ``{"type": "error", "error": {type, message}}`` body.

    A 503 is sent as ``api_error``: LiteLLM reads ``overloaded_error`` as an internal error whatever the
    status, so only the 529 "Overloaded" answer carries it.
    """
    fallback = (
        ("api_error", "Service unavailable") if status >= 500 else ("invalid_request_error", "Bad request")
    )
    error_type, default = _CODE_ERRORS.get(code or "") or _STATUS_ERRORS.get(status, fallback)
    headers = retry_after_headers(retry_after)
    if status == 429:
        headers |= {"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0"}
    body = {"type": "error", "error": {"type": error_type, "message": message or default}}
    return ErrorResponse(body, headers)


def models_listing(ids: list[str]) -> JSONObject:
    """``GET /v1/models`` in Anthropic's shape (chosen when the request carries Anthropic headers)."""
    data = [{"type": "model", "id": i, "display_name": i, "created_at": "2025-01-01T00:00:00Z"} for i in ids]
    return {
        "data": data,
        "has_more": False,
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
    }


def _event(event_type: str, **fields: object) -> bytes:
    return sse_event({"type": event_type, **fields}, event_type)


def _stop_reason(completion: Completion) -> str:
    return _STOP_REASONS.get(completion.finish_reason, completion.finish_reason)


def _input_usage(completion: Completion) -> JSONObject:
    """Anthropic counts cache reads apart from ``input_tokens``; LiteLLM adds them back into prompt tokens."""
    return {
        "input_tokens": max(0, completion.prompt_tokens - completion.cached_tokens),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": completion.cached_tokens,
    }
