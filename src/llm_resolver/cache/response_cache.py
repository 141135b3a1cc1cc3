"""The response cache an LLM consults: keys, (de)serialisation, and isolation from backend failures.

A backend that fails turns lookups into misses and writes into no-ops, and is left alone for
``pause_s`` so a dead server does not cost a timeout on every call.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from llm_resolver.cache.backend import CacheBackend
from llm_resolver.cache.entry import CachedReply
from llm_resolver.cache.key import Uncacheable, request_key
from llm_resolver.config.cache import CacheSettings
from llm_resolver.redaction import redact
from llm_resolver.types.scope import Scope

log = logging.getLogger(__name__)


class ResponseCache:
    def __init__(
        self,
        backend: CacheBackend,
        settings: CacheSettings,
        *,
        pause_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self._pause_s = pause_s
        self._clock = clock
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def key(self, scope: Scope, kwargs: Mapping[str, Any]) -> str | None:
        """None when the request cannot be keyed (then the call bypasses the cache)."""
        try:
            return request_key(kwargs, str(scope) if self.settings.scoped else None)
        except Uncacheable as exc:
            log.debug("response not cached: %s", exc)
            return None

    def get(self, key: str) -> CachedReply | None:
        if self._paused():
            return None
        try:
            raw = self.backend.get(key)
        except Exception as exc:
            self._failed("read", exc)
            return None
        if raw is None:
            return None
        try:
            return CachedReply.from_bytes(raw)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning(
                "response cache (%s) holds an unreadable entry, treated as a miss: %s",
                self.settings.backend,
                type(exc).__name__,
            )
            return None

    async def aget(self, key: str) -> CachedReply | None:
        if not self.backend.blocking:
            return self.get(key)
        return await asyncio.to_thread(self.get, key)

    def put(self, key: str, reply: CachedReply) -> None:
        if self._paused():
            return
        try:
            self.backend.set(key, reply.to_bytes(), self.settings.ttl)
        except Exception as exc:
            self._failed("write", exc)

    async def aput(self, key: str, reply: CachedReply) -> None:
        if not self.backend.blocking:
            self.put(key, reply)
            return
        await asyncio.to_thread(self.put, key, reply)

    def _paused(self) -> bool:
        with self._lock:
            return self._clock() < self._paused_until

    def _failed(self, what: str, exc: Exception) -> None:
        with self._lock:
            self._paused_until = self._clock() + self._pause_s
        log.warning(
            "response cache (%s) failed to %s, bypassing it for %.0fs: %s",
            self.settings.backend,
            what,
            self._pause_s,
            redact(f"{type(exc).__name__}: {exc}"),
        )
