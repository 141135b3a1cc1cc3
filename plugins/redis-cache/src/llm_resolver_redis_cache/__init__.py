"""A Redis backend for llm-resolver's response cache."""

from llm_resolver_redis_cache.backend import RedisCache

__all__ = ["RedisCache"]
