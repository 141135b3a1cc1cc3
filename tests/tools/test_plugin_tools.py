"""Plugin tools: registered per plugin, namespaced, and offered only when the config names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import LiteLLM, PluginError, SpecError, hookimpl, run_tools, tool
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator, Reply, ToolCallSpec
from llm_resolver.tools import plugin_tools, select_tools

from .conftest import openai_llm


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def today() -> str:
    """Today's date."""
    return "2025-03-01"


class MathPlugin:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(add)
        register(multiply)
        register(multiply, name="times")


class DatePlugin:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(today)


class TwicePlugin:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(today)
        register(today)


class UntypedPlugin:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(today)
        register(lambda x: x)


class Opaque:
    """A parameter type pydantic has no JSON schema for."""


def inspect_it(thing: Opaque) -> str:
    """Look at a thing."""
    return repr(thing)


class OpaquePlugin:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(today)
        register(inspect_it)


class DottedNamePlugin:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(today, name="a.b")


@pytest.fixture
def plugins(bare_plugins: PluginManager) -> PluginManager:
    bare_plugins.register(MathPlugin(), "math")
    bare_plugins.register(DatePlugin(), "date")
    return bare_plugins


def test_tools_are_namespaced_by_plugin(plugins: PluginManager) -> None:
    tools = plugin_tools(plugins)
    assert list(tools) == ["math.add", "math.multiply", "math.times", "date.today"]
    assert tools["math.times"].wire_name == "math_times"
    assert tools["math.multiply"].description == "Multiply two integers."
    assert tools["math.add"](2, 3) == 5


def test_patterns_select_tools_in_pattern_order(plugins: PluginManager) -> None:
    names = [t.name for t in select_tools(["date.*", "math.mul*", "math.*"], plugins)]
    assert names == ["date.today", "math.multiply", "math.add", "math.times"]
    assert select_tools([], plugins) == []


def test_a_pattern_matching_nothing_names_it_and_lists_the_tools(plugins: PluginManager) -> None:
    with pytest.raises(SpecError) as caught:
        select_tools(["math.*", "clock.now"], plugins)
    assert str(caught.value) == (
        "tools: 'clock.now' matches no plugin tool; available tools: date.today, math.add, math.multiply, "
        "math.times"
    )
    assert caught.value.field == "tools"
    with pytest.raises(SpecError, match="none \\(install a tools plugin"):
        select_tools(["x"], None)


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (TwicePlugin(), "tool 'bad.today' registered twice"),
        (UntypedPlugin(), "cannot make a tool of"),
        (DottedNamePlugin(), "tool name 'a.b' must be 1-48 letters"),
    ],
)
def test_a_plugin_registering_bad_tools_is_reported_and_skipped_whole(
    plugins: PluginManager, plugin: Any, message: str
) -> None:
    plugins.register(plugin, "bad")
    tools = plugin_tools(plugins)
    assert not [name for name in tools if name.startswith("bad.")]
    assert "math.add" in tools
    status = {s.name: s for s in plugins.statuses}["bad"]
    assert status.error is not None
    assert message in status.error


def test_llm_tools_follow_the_config(plugins: PluginManager, provider_emulator: ProviderEmulator) -> None:
    llm = openai_llm(provider_emulator, plugins, tools=["math.a*", "date.today"])
    assert isinstance(llm, LiteLLM)
    assert [t.name for t in llm.tools] == ["math.add", "date.today"]
    assert openai_llm(provider_emulator, plugins).tools == []


def test_a_tools_pattern_matching_no_plugin_tool_fails_at_resolve_time(
    plugins: PluginManager, provider_emulator: ProviderEmulator
) -> None:
    with pytest.raises(
        SpecError, match=r"tools: 'nope\.\*' matches no plugin tool; available tools: date"
    ) as caught:
        openai_llm(provider_emulator, plugins, tools=["math.*", "nope.*"])
    assert caught.value.field == "tools"
    assert provider_emulator.requests == []


def test_run_tools_offers_only_the_configured_plugin_tools(
    plugins: PluginManager, provider_emulator: ProviderEmulator
) -> None:
    emu = provider_emulator
    emu.script(
        Reply(
            tool_calls=[
                ToolCallSpec("math_add", {"a": 2, "b": 3}),
                ToolCallSpec("math_multiply", {"a": 2, "b": 3}),
            ]
        ),
        Reply(text="5"),
    )
    llm = openai_llm(emu, plugins, tools=["math.add"])

    result = run_tools(llm, "2+3?")

    assert result.text == "5"
    assert [t["function"]["name"] for t in emu.requests[0].body["tools"]] == ["math_add"]
    assert [(c.name, c.content) for c in result.calls] == [
        ("math.add", "5"),
        ("math_multiply", "error: there is no tool named 'math_multiply'; available tools: math_add"),
    ]


def test_tool_names_in_run_tools_come_from_the_llms_plugins(
    plugins: PluginManager, provider_emulator: ProviderEmulator
) -> None:
    emu = provider_emulator
    emu.script(Reply(tool_calls=[ToolCallSpec("date_today", {})]), Reply(text="It is March."))
    llm = openai_llm(emu, plugins, tools=["math.add"])

    result = run_tools(llm, "what day is it?", ["date.*", add])

    assert result.calls[0].content == "2025-03-01"
    assert [t["function"]["name"] for t in emu.requests[0].body["tools"]] == ["date_today", "add"]
    with pytest.raises(SpecError, match=r"'clock\.now' matches no plugin tool"):
        run_tools(llm, "x", ["clock.now"])


def test_a_plugin_tool_is_built_when_a_config_names_it(plugins: PluginManager) -> None:
    """Its schema costs about 2 ms, so a config naming no tool pays none; a parameter type without a
    JSON schema is found then, naming the plugin and the tool."""
    plugins.register(OpaquePlugin(), "odd")
    assert {s.name: s for s in plugins.statuses}["odd"].ok
    assert [t.name for t in select_tools(["odd.today"], plugins)] == ["odd.today"]
    assert "odd.inspect_it" in plugin_tools(plugins)
    with pytest.raises(PluginError, match="cannot make a tool of <function inspect_it") as caught:
        select_tools(["odd.*"], plugins)
    assert "cannot build a JSON schema for its parameters" in str(caught.value)
    assert caught.value.plugin == "odd"


def test_strict_loading_builds_every_plugin_tool_at_once() -> None:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "", "LLM_RESOLVER_STRICT_PLUGINS": "1"})
    manager.load_entrypoints()
    with pytest.raises(PluginError, match="register_tools failed: PluginError: cannot make a tool of"):
        manager.register(OpaquePlugin(), "odd")
