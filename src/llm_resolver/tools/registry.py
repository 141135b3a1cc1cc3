"""Plugin tools: registered through ``register_tools``, namespaced ``<plugin>.<tool>``, and offered to a
resolver only when its config names them (fnmatch patterns such as ``calc.*``)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from llm_resolver.errors import PluginError, SpecError
from llm_resolver.tools.decorator import as_tool
from llm_resolver.types.tool import Tool

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager

HOOK = "register_tools"
_SHORT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,48}$")


def plugin_tools(plugins: PluginManager | None) -> dict[str, Tool]:
    """Every tool the loaded plugins registered, by full name; a plugin that fails is reported and skipped."""
    if plugins is None:
        return {}
    return plugins.collect(HOOK, _make_register)


def select_tools(patterns: Sequence[str], plugins: PluginManager | None) -> list[Tool]:
    """The tools matching ``patterns`` in pattern order; a pattern matching none is a ``SpecError``."""
    if not patterns:
        return []
    available = plugin_tools(plugins)
    selected: dict[str, Tool] = {}
    for pattern in patterns:
        matches = [name for name in available if fnmatch.fnmatchcase(name, pattern)]
        if not matches:
            known = (
                ", ".join(sorted(available)) or "none (install a tools plugin, e.g. llm-resolver-tools-pack)"
            )
            raise SpecError(
                f"tools: {pattern!r} matches no plugin tool; available tools: {known}", field="tools"
            )
        for name in matches:
            selected.setdefault(name, available[name])
    return list(selected.values())


def _make_register(plugin: str, target: dict[str, Any]) -> Callable[..., None]:
    def register(tool_or_function: Tool | Callable[..., Any], name: str | None = None) -> None:
        try:
            made = as_tool(tool_or_function)
        except (TypeError, ValueError) as exc:
            raise PluginError(f"cannot make a tool of {tool_or_function!r}: {exc}", plugin=plugin) from exc
        short = name or made.name
        if not _SHORT_NAME.match(short):
            raise PluginError(
                f"tool name {short!r} must be 1-48 letters, digits, '_' or '-' (the plugin name and a dot "
                "are put in front)",
                plugin=plugin,
            )
        full = f"{plugin}.{short}"
        if full in target:
            raise PluginError(f"tool {full!r} registered twice", plugin=plugin)
        target[full] = as_tool(made, name=full)

    return register
