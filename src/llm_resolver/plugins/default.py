"""The process-wide plugin manager, built on first use from the installed entry points."""

from __future__ import annotations

import functools

from llm_resolver.plugins.manager import PluginManager


@functools.cache
def default_plugin_manager() -> PluginManager:
    manager = PluginManager()
    manager.load_entrypoints()
    return manager
