"""Gemini wire format: generateContent / streamGenerateContent (SSE), model listing, errors."""

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
    sse_event,
)

_FINISH_REASONS = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP", "content_filter": "SAFETY"}

# status -> (status name, default message), as the Gemini API sends them.
_STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: ("UNAUTHENTICATED", "API key not valid. Please pass a valid API key."),
    403: ("PERMISSION_DENIED", "The caller does not have permission."),
    404: ("NOT_FOUND", "The requested model was not found."),
    429: ("RESOURCE_EXHAUSTED", "You exceeded your current quota. Please retry later."),
    500: ("INTERNAL", "An internal error has occurred. Please retry or report the problem."),
    503: ("UNAVAILABLE", "The service is currently unavailable. Please try again later."),
    504: ("DEADLINE_EXCEEDED", "The request timed out. Please try again."),
}
# LiteLLM has no Gemini content-policy error on the wire (a blocked prompt is a 200 with promptFeedback);
# it maps the "response was blocked" phrase, so the fault uses it.
_CODE_ERRORS: dict[str, tuple[str, str]] = {
    CONTEXT_WINDOW: (
        "INVALID_ARGUMENT",
        "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).",
    ),
    CONTENT_POLICY: ("INVALID_ARGUMENT", "The response was blocked. Reason: SAFETY (content_filter)."),
}


class GeminiChat:
    """``POST /v1beta/models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse``."""

    def parse(self, body: JSONObject, path_model: str | None, stream_path: bool) -> ChatRequest:
        contents = body.get("contents")
        system = body.get("systemInstruction") or body.get("system_instruction")
        system_parts = system.get("parts") if isinstance(system, dict) else None
        return ChatRequest(
            model=path_model,
            stream=stream_path,
            prompt_text=joined_text(system_parts) + "\n" + all_text_of(contents, "parts"),
            last_user_text=last_text_of(contents, "user", "parts"),
            include_usage=True,
        )

    def response(self, completion: Completion, model: str, seq: int) -> JSONObject:
        parts: list[JSONObject] = [{"text": completion.text}] if completion.text is not None else []
        parts += _function_call_parts(completion)
        return {
            "candidates": [_candidate(parts, completion)],
            "usageMetadata": _usage(completion),
            "modelVersion": model,
            "responseId": f"emu-{seq}",
        }

    def stream(self, completion: Completion, model: str, seq: int, include_usage: bool) -> SseStream:
        groups: list[list[JSONObject]] = [[{"text": piece}] for piece in completion.pieces]
        if completion.tool_calls:
            groups.append(_function_call_parts(completion))
        if not groups:
            groups.append([{"text": ""}])
        events = []
        for number, parts in enumerate(groups, start=1):
            last = number == len(groups)
            event: JSONObject = {
                "candidates": [_candidate(parts, completion if last else None)],
                "modelVersion": model,
                "responseId": f"emu-{seq}",
            }
            if last and include_usage:
                event["usageMetadata"] = _usage(completion)
            events.append(sse_event(event))
        return SseStream(events)

    def raw_stream(self, payload: JSONObject) -> SseStream:
        return SseStream([sse_event(payload)])

    def malformed_stream(self) -> SseStream:
        return SseStream([sse_event('{"candidates": [{"content": {"parts": [')])


def gemini_error(
    status: int, code: str | None, message: str | None, retry_after: float | None
) -> ErrorResponse:
    """Google's ``{"error": {code, message, status}}`` body; a rate limit carries ``RetryInfo`` too."""
    fallback = (
        ("INTERNAL", "Internal error.") if status >= 500 else ("FAILED_PRECONDITION", "Request failed.")
    )
    status_name, default = _CODE_ERRORS.get(code or "") or _STATUS_ERRORS.get(status, fallback)
    error: JSONObject = {"code": status, "message": message or default, "status": status_name}
    if retry_after is not None:
        error["details"] = [
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_after:g}s"}
        ]
    return ErrorResponse({"error": error}, retry_after_headers(retry_after))


def models_listing(ids: list[str]) -> JSONObject:
    """``GET /v1beta/models``."""
    return {
        "models": [
            {
                "name": f"models/{i}",
                "version": "001",
                "displayName": i,
                "inputTokenLimit": 1_048_576,
                "outputTokenLimit": 65_536,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
            }
            for i in ids
        ]
    }


def _candidate(parts: list[JSONObject], finished: Completion | None) -> JSONObject:
    """A candidate; only the last one of an answer carries ``finishReason``."""
    candidate: JSONObject = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finished is not None:
        candidate["finishReason"] = _FINISH_REASONS.get(finished.finish_reason, finished.finish_reason)
    return candidate


def _function_call_parts(completion: Completion) -> list[JSONObject]:
    return [
        {"functionCall": {"id": c.id, "name": c.name, "args": c.arguments_object()}}
        for c in completion.tool_calls
    ]


def _usage(completion: Completion) -> JSONObject:
    usage: JSONObject = {
        "promptTokenCount": completion.prompt_tokens,
        "candidatesTokenCount": completion.completion_tokens,
        "totalTokenCount": completion.total_tokens,
    }
    if completion.cached_tokens:
        usage["cachedContentTokenCount"] = completion.cached_tokens
    return usage
