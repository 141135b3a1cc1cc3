"""What a response-cache backend implements: bytes in, bytes out, with an optional time to live."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class CacheBackend(Protocol):
    """Thread-safe key-value storage. ``blocking`` backends (disk, network) are called from a worker
    thread in async calls; errors they raise make the lookup a miss, never a failed call."""

    blocking: bool

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl: float | None) -> None: ...
