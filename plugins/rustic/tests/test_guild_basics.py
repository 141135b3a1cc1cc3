"""A guild whose spec names our resolver: sync and async processors, answers with cost and attempts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver.testing import ProviderEmulator, Reply
from plugins.rustic.tests.agents import AsyncLLMAgent, SyncLLMAgent
from plugins.rustic.tests.conftest import ASK, RunningGuild


@pytest.mark.parametrize("agent", [SyncLLMAgent, AsyncLLMAgent])
def test_processor_gets_an_answer_with_cost(
    agent: type,
    launch: Callable[..., RunningGuild],
    emulator_props: dict[str, Any],
    provider_emulator: ProviderEmulator,
) -> None:
    provider_emulator.script(Reply(text="bonjour", usage=(12, 5)))
    running = launch(emulator_props, agent)
    [msg] = running.ask({"text": "hello"}, ASK)
    assert msg.payload["text"] == "bonjour"
    assert msg.payload["finish_reason"] == "stop"
    assert msg.payload["cost_usd"] == pytest.approx(4.8e-06)
    assert [a["outcome"] for a in msg.payload["attempts"]] == ["ok"]
    assert msg.payload["total_tokens"] == 17
    assert provider_emulator.request_count() == 1
