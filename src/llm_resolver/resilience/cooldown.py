"""Cool-downs: an endpoint that keeps failing is skipped for a while by the LLMs that share them.

They belong to one resolver (all its scopes) unless its config names a pool (``retry.cooldown_pool``):
resolvers naming the same pool share one, so sharing across resolvers is always an explicit setting.
The key is the endpoint and a fingerprint of the credentials used on it, so one tenant's rate-limited
key never makes another tenant's healthy key skip the same endpoint.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from pydantic import SecretStr

CooldownKey = tuple[str, str | None, str]


@dataclass
class _State:
    failures: int = 0
    until: float = 0.0


def cooldown_key(
    model: str, api_base: str | None, api_key: SecretStr | None, headers: dict[str, SecretStr]
) -> CooldownKey:
    """(model, endpoint, credentials fingerprint); the fingerprint is a hash, never the secret."""
    digest = hashlib.sha256()
    for part in [api_key, *(headers[name] for name in sorted(headers))]:
        digest.update(b"\0" + (part.get_secret_value().encode() if part is not None else b""))
    return (model, api_base, digest.hexdigest()[:16])


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
