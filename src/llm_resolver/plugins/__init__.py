"""The plugin system: hook specs, markers and the manager that loads plugins from entry points."""

from llm_resolver.lazy import lazy_exports
from llm_resolver.plugins.default import default_plugin_manager
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.plugins.markers import hookimpl, hookspec
from llm_resolver.plugins.status import PluginStatus

__all__ = ["PluginManager", "PluginStatus", "default_plugin_manager", "hookimpl", "hookspec", "lazy_exports"]
