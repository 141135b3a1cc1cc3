"""Each ``register_*`` hook and the function that builds its registry, for ``PluginManager.check``."""

from __future__ import annotations

from collections.abc import Callable

from llm_resolver.cache.registry import cache_backends
from llm_resolver.metering.registry import cost_meters
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.tools.registry import plugin_tools
from llm_resolver.vision.registry import content_loaders

REGISTRIES: dict[str, Callable[[PluginManager], object]] = {
    "register_resolvers": PluginManager.resolvers,
    "register_tools": plugin_tools,
    "register_content_loaders": content_loaders,
    "register_cost_meters": cost_meters,
    "register_cache_backends": cache_backends,
}
