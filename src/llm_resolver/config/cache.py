"""The ``cache`` setting: off, ``"memory"``, ``"sqlite:///path"``, ``"<backend>://…"`` or a mapping.

Imports nothing else from config: ``config.models`` validates the setting with ``check_cache_setting``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# Settings every backend shares; everything else in the mapping goes to the backend's factory.
GENERIC = ("backend", "ttl", "scoped")
SQLITE_PREFIX = "sqlite:///"


@dataclass(frozen=True)
class CacheSettings:
    """``ttl``: seconds an entry lives (None: until evicted). ``scoped``: keys include the caller's
    scope, so one tenant's cached answers are never served to another."""

    backend: str
    ttl: float | None = None
    scoped: bool = True
    options: dict[str, Any] = field(default_factory=dict)


def parse_cache_setting(value: Any) -> CacheSettings | None:
    """None when caching is off; raises ValueError saying what a valid setting looks like."""
    if value is None or value is False:
        return None
    if value is True:
        return CacheSettings("memory")
    if isinstance(value, str):
        return _from_string(value.strip())
    if isinstance(value, Mapping):
        return _from_mapping(value)
    raise ValueError(
        f"use true/false, 'memory', 'sqlite:///path', a '<backend>://…' URL or a mapping with "
        f"'backend', not a {type(value).__name__}"
    )


def check_cache_setting(value: Any) -> Any:
    """Validate, keep the value as given (so secret-named options stay maskable in dumps)."""
    parse_cache_setting(value)
    return value


def _from_string(text: str) -> CacheSettings:
    if not text:
        raise ValueError("it is empty; use 'memory', 'sqlite:///path' or a mapping with 'backend'")
    if text.startswith(SQLITE_PREFIX):
        path = text[len(SQLITE_PREFIX) :]
        if not path:
            raise ValueError("'sqlite:///' needs a file path, e.g. sqlite:///cache.db")
        return CacheSettings("sqlite", options={"path": path})
    if "://" in text:
        _check_url(text)
        return CacheSettings(text.split("://", 1)[0], options={"url": text})
    return CacheSettings(text)


def _from_mapping(value: Mapping[str, Any]) -> CacheSettings:
    options = {str(k): v for k, v in value.items()}
    backend = options.pop("backend", "memory")
    if not isinstance(backend, str) or not backend.strip():
        raise ValueError("backend must be a backend name such as 'memory', 'sqlite' or 'redis'")
    ttl = options.pop("ttl", None)
    if ttl is not None and (
        isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl <= 0
    ):
        raise ValueError("ttl must be a positive number of seconds (or null: no expiry)")
    scoped = options.pop("scoped", True)
    if not isinstance(scoped, bool):
        raise ValueError("scoped must be true or false")
    max_entries = options.get("max_entries")
    if max_entries is not None and (
        isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1
    ):
        raise ValueError("max_entries must be a whole number of at least 1")
    if isinstance(options.get("url"), str):
        _check_url(options["url"])
    return CacheSettings(backend.strip(), None if ttl is None else float(ttl), scoped, options)


def _check_url(url: str) -> None:
    """A password inside a URL would show wherever the setting is printed: ask for 'password' instead."""
    try:
        password = urlsplit(url).password
    except ValueError:
        raise ValueError("the URL cannot be parsed") from None
    if password:
        raise ValueError(
            "do not put a password in the URL; give it as 'password' in the cache mapping "
            "(for example password: ${REDIS_PASSWORD}) so it is masked wherever settings are shown"
        )
