"""Shared wire-level types and helpers that every provider format builds on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from .completion import Completion

JSONObject = dict[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    """What the emulator needs from a chat request, whatever its provider shape."""

    model: str | None
    stream: bool
    prompt_text: str
    last_user_text: str
    include_usage: bool


@dataclass(frozen=True)
class SseStream:
    """Encoded SSE events; the first ``prefix`` events come before any content (used by mid-stream drops)."""

    events: list[bytes]
    prefix: int = 0


@dataclass(frozen=True)
class ErrorResponse:
    """A provider-shaped HTTP error body plus the headers that go with it."""

    body: JSONObject
    headers: dict[str, str] = field(default_factory=dict)


class ChatFormat(Protocol):
    """One provider's chat wire format: parse a request, render its answers."""

    def parse(self, body: JSONObject, path_model: str | None, stream_path: bool) -> ChatRequest: ...

    def response(self, completion: Completion, model: str, seq: int) -> JSONObject: ...

    def stream(self, completion: Completion, model: str, seq: int, include_usage: bool) -> SseStream: ...

    def raw_stream(self, payload: JSONObject) -> SseStream: ...

    def malformed_stream(self) -> SseStream: ...


def sse_event(data: JSONObject | str, event: str | None = None) -> bytes:
    """Encode one SSE event; a dict is sent as compact JSON, a str verbatim."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def joined_text(content: object) -> str:
    """Text of a message's content: a plain string, or the ``text`` of each part in a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def last_text_of(messages: object, role: str, content_key: str) -> str:
    """Text of the last message from ``role`` (the echo source)."""
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == role:
                return joined_text(message.get(content_key))
    return ""


def all_text_of(messages: object, content_key: str) -> str:
    """All message text joined, for the prompt-token estimate."""
    if not isinstance(messages, list):
        return ""
    return "\n".join(joined_text(m.get(content_key)) for m in messages if isinstance(m, dict))


def split_arguments(arguments: str) -> list[str]:
    """Argument fragments for streamed tool calls (up to three), like providers send them."""
    if not arguments:
        return [""]
    count = min(3, len(arguments))
    return [arguments[i * len(arguments) // count : (i + 1) * len(arguments) // count] for i in range(count)]


def retry_after_headers(retry_after: float | None) -> dict[str, str]:
    """``Retry-After`` (whole seconds as an integer, else a float string), or nothing."""
    if retry_after is None:
        return {}
    return {"retry-after": str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)}


def str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
