"""Cache backends: the built-in ``memory`` and ``sqlite``, and those plugins add through
``register_cache_backends``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_resolver.cache.memory import MemoryCache
from llm_resolver.cache.response_cache import ResponseCache
from llm_resolver.cache.sqlite import SQLiteCache
from llm_resolver.config.cache import CacheSettings
from llm_resolver.config.factories import construct, registering, unknown_name

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager

BUILTIN_BACKENDS: dict[str, Callable[..., Any]] = {"memory": MemoryCache, "sqlite": SQLiteCache}


def cache_backends(plugins: PluginManager | None) -> dict[str, Callable[..., Any]]:
    found = dict(BUILTIN_BACKENDS)
    if plugins is not None:
        found.update(
            plugins.collect(
                "register_cache_backends", registering("cache backend", frozenset(BUILTIN_BACKENDS))
            )
        )
    return found


def build_cache(settings: CacheSettings, plugins: PluginManager | None) -> ResponseCache:
    factory = BUILTIN_BACKENDS.get(settings.backend)
    if factory is None:
        known = cache_backends(plugins)
        factory = known.get(settings.backend)
        if factory is None:
            raise unknown_name(
                "cache",
                "cache backend",
                settings.backend,
                known,
                "Install the plugin that provides it (for example llm-resolver-redis-cache for 'redis').",
            )
    backend = construct("cache", "cache backend", settings.backend, factory, settings.options)
    return ResponseCache(backend, settings)
