"""The record of every request the emulator received, for tests to assert on."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

Provider = Literal["openai", "anthropic", "gemini"]
RequestKind = Literal["chat", "embeddings", "models"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived on the wire; ``path`` excludes the query string, kept in ``query``."""

    provider: Provider
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    model: str | None
    stream: bool
    kind: RequestKind
    received_at: float
    query: str = ""


class RequestLog:
    """Append-only, thread-safe list of requests; readers always get a snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> int:
        """Store ``request`` and return its 1-based sequence number (used to make response ids unique)."""
        with self._lock:
            self._items.append(request)
            return len(self._items)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
