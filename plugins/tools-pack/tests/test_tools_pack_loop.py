"""The pack as users meet it: installed entry points, tools chosen by config patterns, a tool loop on
the emulator over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from llm_resolver import LiteLLMResolver, SpecError, run_tools
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator, Reply, ToolCallSpec


@pytest.fixture
def pack() -> PluginManager:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "calc,clock,files"})
    manager.load_entrypoints()
    return manager


def test_the_entry_points_register_one_namespace_each(pack: PluginManager) -> None:
    statuses = {s.name: s for s in pack.statuses}
    for name in ("calc", "clock", "files"):
        assert statuses[name].ok
        assert statuses[name].distribution == "llm-resolver-tools-pack"
        assert statuses[name].hooks == ["register_tools"]


def test_a_loop_with_the_configured_pack_tools(
    pack: PluginManager, provider_emulator: ProviderEmulator
) -> None:
    emu = provider_emulator
    emu.script(
        Reply(
            tool_calls=[
                ToolCallSpec("calc_evaluate", {"expression": "17 * 2340 / 100"}),
                ToolCallSpec("clock_now", {"tz": "Asia/Tokyo"}),
                ToolCallSpec("calc_evaluate", {"expression": "1 / 0"}),
            ]
        ),
        Reply(text="397.8, and it is evening in Tokyo."),
    )
    llm = LiteLLMResolver(
        model="openai/gpt-4o-mini",
        api_base=emu.openai_base,
        api_key="x",
        env={},
        plugins=pack,
        tools=["calc.*", "clock.now"],
    ).get_or_resolve()

    result = run_tools(llm, "What is 17% of 2340, and what time is it in Tokyo?")

    offered = [t["function"]["name"] for t in emu.requests[0].body["tools"]]
    assert offered == ["calc_evaluate", "clock_now"]
    calc, clock, zero = result.steps[0].calls
    assert (calc.name, calc.result, calc.content) == ("calc.evaluate", 397.8, "397.8")
    assert datetime.fromisoformat(clock.content).utcoffset() == timedelta(hours=9)
    assert zero.content == "error: tool 'calc.evaluate' failed: CalcError: division by zero"
    sent = [m["content"] for m in emu.requests[1].body["messages"] if m["role"] == "tool"]
    assert sent == ["397.8", clock.content, zero.content]
    assert result.text == "397.8, and it is evening in Tokyo."


def test_a_pattern_for_a_missing_pack_tool_lists_what_is_there(
    pack: PluginManager, provider_emulator: ProviderEmulator
) -> None:
    with pytest.raises(SpecError) as caught:  # when the LLM is resolved, before any call
        LiteLLMResolver(
            model="openai/gpt-4o-mini",
            api_base=provider_emulator.openai_base,
            api_key="x",
            env={},
            plugins=pack,
            tools=["clock.tomorrow"],
        ).get_or_resolve()
    assert str(caught.value) == (
        "tools: 'clock.tomorrow' matches no plugin tool; available tools: calc.evaluate, clock.convert, "
        "clock.now, files.list, files.read"
    )
    assert provider_emulator.request_count() == 0
