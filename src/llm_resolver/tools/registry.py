"""Plugin tools: registered through ``register_tools``, namespaced ``<plugin>.<tool>``, and offered to a
resolver only when its config names them (fnmatch patterns such as ``calc.*``)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llm_resolver.errors import PluginError, SpecError
from llm_resolver.tools.decorator import as_tool, tool_builder
from llm_resolver.types.tool import Tool

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager

HOOK = "register_tools"
_SHORT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,48}$")


def plugin_tools(plugins: PluginManager | None) -> Mapping[str, Tool]:
    """Every tool the loaded plugins registered, by full name; a plugin that fails is reported and skipped.

    A function a plugin registers is checked when it registers (name, signature, type hints) and made
    a ``Tool`` when first looked up here: its pydantic model and schema cost about 2 ms each, which a
    config naming none of them should not pay. Under strict loading every tool is built at once.
    """
    if plugins is None:
        return {}
    strict = plugins.strict
    return _Tools(plugins.collect(HOOK, lambda plugin, target: _make_register(plugin, target, strict)))


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
            if name not in selected:
                selected[name] = available[name]
    return list(selected.values())


class _Unbuilt:
    """A plugin's function, checked, whose ``Tool`` is built on first look-up. A plain class: a
    dataclass compiles its methods when this module is imported, at every first resolve."""

    __slots__ = ("build", "function", "plugin")

    def __init__(self, plugin: str, function: Callable[..., Any], build: Callable[[], Tool]) -> None:
        self.plugin, self.function, self.build = plugin, function, build

    def tool(self, full: str) -> Tool:
        try:
            return as_tool(self.build(), name=full)
        except TypeError as exc:
            raise _not_a_tool(self.plugin, self.function, exc) from exc


class _Tools(Mapping[str, Tool]):
    """The ``register_tools`` registry, each entry built the first time it is looked up, then kept."""

    def __init__(self, entries: dict[str, Tool | _Unbuilt]) -> None:
        self._entries = entries

    def __getitem__(self, name: str) -> Tool:
        entry = self._entries[name]
        if isinstance(entry, _Unbuilt):
            # two threads may both build it: the same Tool, and either one is kept
            entry = self._entries[name] = entry.tool(name)
        return entry

    def __contains__(self, name: object) -> bool:
        return name in self._entries  # without building it, as Mapping's look-up would

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def _make_register(plugin: str, target: dict[str, Any], strict: bool) -> Callable[..., None]:
    def register(tool_or_function: Tool | Callable[..., Any], name: str | None = None) -> None:
        build: Callable[[], Tool] | None = None
        try:
            if isinstance(tool_or_function, Tool):
                own_name = tool_or_function.name
            else:
                own_name, build = tool_builder(tool_or_function)
        except (TypeError, ValueError) as exc:
            raise _not_a_tool(plugin, tool_or_function, exc) from exc
        short = name or own_name
        if not _SHORT_NAME.match(short):
            raise PluginError(
                f"tool name {short!r} must be 1-48 letters, digits, '_' or '-' (the plugin name and a dot "
                "are put in front)",
                plugin=plugin,
            )
        full = f"{plugin}.{short}"
        if full in target:
            raise PluginError(f"tool {full!r} registered twice", plugin=plugin)
        if build is None:
            target[full] = as_tool(tool_or_function, name=full)
        else:
            unbuilt = _Unbuilt(plugin, tool_or_function, build)
            target[full] = unbuilt.tool(full) if strict else unbuilt

    return register


def _not_a_tool(plugin: str, function: object, exc: Exception) -> PluginError:
    return PluginError(f"cannot make a tool of {function!r}: {exc}", plugin=plugin)
