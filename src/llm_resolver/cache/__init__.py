"""The response cache: off by default; in memory, in SQLite, or in a backend a plugin adds (Redis)."""

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
    from llm_resolver.cache.backend import CacheBackend
    from llm_resolver.cache.entry import CachedReply
    from llm_resolver.cache.memory import MemoryCache
    from llm_resolver.cache.response_cache import ResponseCache
    from llm_resolver.cache.sqlite import SQLiteCache
    from llm_resolver.config.cache import CacheSettings, parse_cache_setting

__all__ = [
    "CacheBackend",
    "CacheSettings",
    "CachedReply",
    "MemoryCache",
    "ResponseCache",
    "SQLiteCache",
    "parse_cache_setting",
]

# Each name is imported from its module on first access: importing one of this package's modules
# (a registry, say) does not import all of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "CacheBackend": "backend",
        "CacheSettings": "llm_resolver.config.cache",
        "CachedReply": "entry",
        "MemoryCache": "memory",
        "ResponseCache": "response_cache",
        "SQLiteCache": "sqlite",
        "parse_cache_setting": "llm_resolver.config.cache",
    },
)
