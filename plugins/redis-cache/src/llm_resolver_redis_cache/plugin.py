"""The plugin: registers the ``redis`` cache backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llm_resolver import hookimpl
from llm_resolver_redis_cache.backend import RedisCache


@hookimpl
def register_cache_backends(register: Callable[[str, Callable[..., Any]], None]) -> None:
    register("redis", RedisCache)
