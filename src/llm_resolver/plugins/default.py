"""The process-wide plugin manager, built on first use from the installed entry points."""

from __future__ import annotations

import functools
import threading

from llm_resolver.plugins.manager import PluginManager

# Re-entrant: a plugin that asks for the manager while it is being loaded must not hang the process.
_lock = threading.RLock()


def plugins_or_default(plugins: PluginManager | None) -> PluginManager:
    """The one rule for a missing plugin manager: ``None`` means the process-wide one."""
    return default_plugin_manager() if plugins is None else plugins


def default_plugin_manager() -> PluginManager:
    """One manager per process, even when many threads ask for it first at the same time."""
    with _lock:
        return _build()


@functools.cache
def _build() -> PluginManager:
    manager = PluginManager()
    manager.load_entrypoints()
    return manager
