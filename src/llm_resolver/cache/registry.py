"""Cache backends: the built-in ``memory`` and ``sqlite``, and those plugins add through
``register_cache_backends``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_resolver.config.cache import CacheSettings
from llm_resolver.config.factories import construct, registering, unknown_name

if TYPE_CHECKING:
    from llm_resolver.cache.response_cache import ResponseCache
    from llm_resolver.plugins.manager import PluginManager

BUILTIN_NAMES = frozenset({"memory", "sqlite"})


def _builtin_backends() -> dict[str, Callable[..., Any]]:
    """Imported when a cache is configured: building the registry (every first resolve) needs only
    their names."""
    from llm_resolver.cache.memory import MemoryCache
    from llm_resolver.cache.sqlite import SQLiteCache

    return {"memory": MemoryCache, "sqlite": SQLiteCache}


def cache_backends(plugins: PluginManager | None) -> dict[str, Callable[..., Any]]:
    """The plugins' backends; ``build_cache`` adds the built-in ones."""
    if plugins is None:
        return {}
    found: dict[str, Callable[..., Any]] = plugins.collect(
        "register_cache_backends", registering("cache backend", BUILTIN_NAMES)
    )
    return found


def build_cache(settings: CacheSettings, plugins: PluginManager | None) -> ResponseCache:
    from llm_resolver.cache.response_cache import ResponseCache

    builtin = _builtin_backends()
    factory = builtin.get(settings.backend)
    if factory is None:
        known = {**builtin, **cache_backends(plugins)}
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
