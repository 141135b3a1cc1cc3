"""Everything a running emulator remembers, shared between the public API and the request handlers."""

from __future__ import annotations

import itertools
import threading

from .recording import RequestLog
from .script import Reply, ScriptQueues

DEFAULT_MODELS = ("gpt-4o-mini", "claude-haiku-4-5", "gemini-2.5-flash")


class EmulatorState:
    """Scripted items, the request log, defaults, and the tool-call id counter of one emulator."""

    def __init__(self) -> None:
        self.script = ScriptQueues()
        self.log = RequestLog()
        self.default_reply = Reply()
        self.models: list[str] = list(DEFAULT_MODELS)
        self._lock = threading.Lock()
        self._call_ids = itertools.count(1)
        self.open_streams = 0
        self.abandoned_streams = 0

    def stream_started(self) -> None:
        with self._lock:
            self.open_streams += 1

    def stream_ended(self, abandoned: bool) -> None:
        """``abandoned``: the client hung up before the last event, as a closed or dropped stream does."""
        with self._lock:
            self.open_streams -= 1
            self.abandoned_streams += abandoned

    def next_call_id(self) -> str:
        """Tool-call ids unique across the emulator's life, so multi-turn tool loops never collide."""
        with self._lock:
            return f"call_{next(self._call_ids)}"

    def reset(self) -> None:
        self.script.clear()
        self.log.clear()
        self.default_reply = Reply()
        with self._lock:
            self._call_ids = itertools.count(1)
