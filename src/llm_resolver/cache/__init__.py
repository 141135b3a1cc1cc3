"""The response cache: off by default; in memory, in SQLite, or in a backend a plugin adds (Redis)."""

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
