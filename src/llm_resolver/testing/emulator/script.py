"""What a test scripts: replies, faults, and the FIFO queues they wait in."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

FaultKind = Literal["status", "slow", "drop", "drop_mid_stream", "end_mid_stream", "malformed"]
_FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))

CONTEXT_WINDOW = "context_length_exceeded"
CONTENT_POLICY = "content_policy_violation"


@dataclass
class ToolCallSpec:
    """One tool call the model "makes"; a ``str`` argument is sent verbatim so tests can send bad JSON."""

    name: str
    arguments: dict[str, Any] | str
    id: str | None = None


@dataclass
class Reply:
    """A successful answer; every ``None`` is filled in deterministically from the request.

    ``json`` bypasses rendering: it is the whole body of a JSON answer, or the single SSE event of a
    streamed one.
    """

    text: str | None = None
    tool_calls: list[ToolCallSpec] = field(default_factory=list)
    usage: tuple[int, int] | None = None
    finish_reason: str | None = None
    chunks: int | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    send_usage_in_stream: bool = True
    cached_tokens: int = 0
    json: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.chunks is not None and self.chunks < 1:
            raise ValueError("chunks must be at least 1")
        if self.delay < 0 or self.chunk_delay < 0:
            raise ValueError("delays must not be negative")


@dataclass
class Fault:
    """A failure to inject; every kind first waits ``delay`` seconds.

    ``"status"`` sends an HTTP error (``status``, 500 if unset) with the provider's error body, where
    ``code`` names a provider-neutral reason (``"context_length_exceeded"`` or
    ``"content_policy_violation"``) each provider words its own way. ``"slow"`` then sends the default
    reply; ``"drop"`` closes the connection unanswered; ``"drop_mid_stream"`` sends ``after_chunks`` text
    chunks of the default reply (half of a JSON body) and closes; ``"end_mid_stream"`` sends them and
    then ends the response cleanly, without the provider's closing events (a proxy that cut the stream);
    ``"malformed"`` answers 200 with undecodable JSON. ``headers`` are added to whatever is sent.
    """

    status: int | None = None
    message: str | None = None
    retry_after: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    kind: FaultKind = "status"
    after_chunks: int = 1
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(_FAULT_KINDS)}")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an HTTP error code (400-599)")
        if self.delay < 0 or self.after_chunks < 0:
            raise ValueError("delay and after_chunks must not be negative")

    @property
    def error_status(self) -> int:
        """The status a ``"status"`` fault answers with; a bare ``Fault()`` is a 500."""
        return self.status if self.status is not None else 500

    @classmethod
    def rate_limit(cls, retry_after: float | None = None) -> Fault:
        return cls(status=429, retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        return cls(status=status)

    @classmethod
    def unavailable(cls) -> Fault:
        return cls(status=503)

    @classmethod
    def auth(cls) -> Fault:
        return cls(status=401)

    @classmethod
    def bad_request(cls, message: str | None = None) -> Fault:
        return cls(status=400, message=message)

    @classmethod
    def context_window(cls) -> Fault:
        return cls(status=400, code=CONTEXT_WINDOW)

    @classmethod
    def content_policy(cls) -> Fault:
        return cls(status=400, code=CONTENT_POLICY)

    @classmethod
    def slow(cls, delay: float) -> Fault:
        return cls(kind="slow", delay=delay)

    @classmethod
    def drop(cls) -> Fault:
        return cls(kind="drop")

    @classmethod
    def drop_mid_stream(cls, after_chunks: int = 1) -> Fault:
        return cls(kind="drop_mid_stream", after_chunks=after_chunks)

    @classmethod
    def end_mid_stream(cls, after_chunks: int = 1) -> Fault:
        return cls(kind="end_mid_stream", after_chunks=after_chunks)

    @classmethod
    def malformed(cls) -> Fault:
        return cls(kind="malformed")


Item = Reply | Fault


class ScriptQueues:
    """Scripted items: per-model queues first, then the global queue (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._global: deque[Item] = deque()
        self._by_model: dict[str, deque[Item]] = {}

    def push(self, items: Iterable[Item], model: str | None) -> None:
        with self._lock:
            queue = self._global if model is None else self._by_model.setdefault(model, deque())
            queue.extend(items)

    def pop(self, model: str | None) -> Item | None:
        """Take the next item for a request to ``model``, or ``None`` when nothing is scripted for it."""
        with self._lock:
            queue = self._by_model.get(model) if model is not None else None
            if queue:
                return queue.popleft()
            return self._global.popleft() if self._global else None

    def pop_global_fault(self) -> Fault | None:
        """Take the head of the global queue only if it is a fault, leaving replies for chat requests."""
        with self._lock:
            head = self._global[0] if self._global else None
            if isinstance(head, Fault):
                self._global.popleft()
                return head
            return None

    def clear(self) -> None:
        with self._lock:
            self._global.clear()
            self._by_model.clear()
