"""Cool-downs: a model that keeps failing is skipped by every LLM in the process for a while."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class _State:
    failures: int = 0
    until: float = 0.0


class Cooldowns:
    def __init__(self) -> None:
        self._states: dict[tuple[str, str | None], _State] = {}
        self._lock = threading.Lock()

    def remaining(self, key: tuple[str, str | None], now: float) -> float:
        with self._lock:
            state = self._states.get(key)
            return max(0.0, state.until - now) if state else 0.0

    def failed(self, key: tuple[str, str | None], now: float, threshold: int, duration: float) -> None:
        with self._lock:
            state = self._states.setdefault(key, _State())
            state.failures += 1
            if state.failures >= threshold and duration > 0:
                state.until = now + duration
                state.failures = 0

    def succeeded(self, key: tuple[str, str | None]) -> None:
        with self._lock:
            self._states.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._states.clear()


PROCESS_COOLDOWNS = Cooldowns()
