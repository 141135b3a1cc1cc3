"""Cool-downs: an endpoint that keeps failing is skipped for a while by the LLMs that share them.

They belong to one resolver (all its scopes) unless its config names a pool (``retry.cooldown_pool``):
resolvers naming the same pool share one, so sharing across resolvers is always an explicit setting.
The key is the endpoint and a fingerprint of the credentials used on it, so one tenant's rate-limited
key never makes another tenant's healthy key skip the same endpoint.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_resolver.backend.targets import Target

CooldownKey = tuple[str, str | None, str]


class _State:
    """A plain class: resolving imports this module, and a dataclass compiles its methods then."""

    __slots__ = ("failures", "until")

    def __init__(self) -> None:
        self.failures = 0
        self.until = 0.0


def cooldown_key(target: Target) -> CooldownKey:
    """(model, endpoint, credentials fingerprint); the fingerprint is a hash, never the secret."""
    return (target.model, target.api_base, target.fingerprint)


class Cooldowns:
    def __init__(self) -> None:
        self._states: dict[CooldownKey, _State] = {}
        self._lock = threading.Lock()

    def remaining(self, key: CooldownKey, now: float) -> float:
        with self._lock:
            state = self._states.get(key)
            return max(0.0, state.until - now) if state else 0.0

    def failed(self, key: CooldownKey, now: float, threshold: int, duration: float) -> bool:
        """Count a failure; True when it starts a cool-down."""
        with self._lock:
            state = self._states.setdefault(key, _State())
            state.failures += 1
            if state.failures >= threshold and duration > 0:
                state.until = now + duration
                state.failures = 0
                return True
            return False

    def succeeded(self, key: CooldownKey) -> None:
        with self._lock:
            self._states.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._states.clear()


_POOLS: dict[str, Cooldowns] = {}
_POOLS_LOCK = threading.Lock()


def cooldown_pool(name: str) -> Cooldowns:
    """The process's cool-downs named ``name``, shared by every resolver whose config names it."""
    with _POOLS_LOCK:
        return _POOLS.setdefault(name, Cooldowns())
