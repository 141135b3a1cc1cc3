"""A Redis backend for llm-resolver's response cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_resolver.plugins import lazy_exports

if TYPE_CHECKING:
    from llm_resolver_redis_cache.backend import RedisCache

__all__ = ["RedisCache"]
__getattr__ = lazy_exports(__name__, {"RedisCache": "backend"})
