"""Fallbacks, retries and budgets set in the guild spec hold inside a running guild, counted by the
emulator's requests; guild- and org-scoped agents share one LLM and one meter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver.testing import Fault, ProviderEmulator, Reply
from plugins.rustic.tests.agents import (
    AsyncLLMAgent,
    GuildAsyncAgent,
    GuildSyncAgent,
    OrgAgent,
    SyncLLMAgent,
)
from plugins.rustic.tests.conftest import ASK, ORG, RunningGuild


def test_fallback_in_the_spec_answers_when_the_primary_keeps_failing(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(*[Fault.unavailable()] * 2, model="gpt-4o-mini")
    props = {**emulator_props, "max_retries": 1, "fallback_models": ["openai/gpt-4o"]}
    running = launch(props, AsyncLLMAgent)
    [msg] = running.ask({"text": "hello"}, ASK)
    assert msg.payload["text"] == "echo: hello"
    assert [(a["model"], a["outcome"]) for a in msg.payload["attempts"]] == [
        ("openai/gpt-4o-mini", "error"),
        ("openai/gpt-4o-mini", "error"),
        ("openai/gpt-4o", "ok"),
    ]
    # Our retries only: max_retries=1 is two requests to the primary, the SDK adds none.
    assert provider_emulator.request_count(model="gpt-4o-mini") == 2
    assert provider_emulator.request_count(model="gpt-4o") == 1


def test_max_retries_zero_is_one_request_and_a_rustic_error(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.server_error())
    running = launch({**emulator_props, "max_retries": 0}, SyncLLMAgent)
    [msg] = running.ask({"text": "hello"}, ASK)
    assert msg.payload["kind"] == "RusticServiceError"
    assert msg.payload["status_code"] == 500
    assert msg.payload["is_ours"] is True
    assert provider_emulator.request_count() == 1


def test_rate_limit_is_retried_after_its_wait(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.rate_limit(retry_after=0.05))
    running = launch(emulator_props, SyncLLMAgent)
    [msg] = running.ask({"text": "hello"}, ASK)
    assert [a["outcome"] for a in msg.payload["attempts"]] == ["error", "ok"]
    assert msg.payload["attempts"][0]["error_type"] == "LLMRateLimitError"
    assert provider_emulator.request_count() == 2


def test_guild_scoped_agents_share_one_llm_meter_and_budget(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    guild_id = "support"
    # One call of 12+5 tokens costs 4.8e-06 USD; each call reserves ~7e-06 before it is sent.
    props = {**emulator_props, "max_tokens": 10, "budget_usd": {"scopes": {f"{ORG}/{guild_id}": 1e-05}}}
    provider_emulator.default_reply = Reply(usage=(12, 5))
    running = launch(props, GuildSyncAgent, GuildAsyncAgent, guild_id=guild_id)
    first, second = running.ask({"text": "hello"}, ASK, expect=2)
    # Both agents answered from one LLM at acme/support/*: the first call spent, the second is refused.
    assert {first.sender.id, second.sender.id} == {"agent0", "agent1"}
    answered, refused = (first, second) if "text" in first.payload else (second, first)
    assert answered.payload["scope"] == f"{ORG}/{guild_id}/*"
    assert refused.payload["kind"] == "RusticBudgetExceededError"
    assert refused.payload["status_code"] == 429
    assert f"{ORG}/{guild_id}/*" in refused.payload["message"]
    assert provider_emulator.request_count() == 1

    # The same settings resolved outside the guild reach the same LLM: its meter holds the spend.
    from llm_resolver_rustic import LiteLLMResolver

    llm = LiteLLMResolver(**props).get_or_resolve(ORG, guild_id)
    assert id(llm) == answered.payload["llm_id"]
    assert id(llm.meter) == answered.payload["meter_id"]
    assert llm.meter.spend(llm.scope) == pytest.approx(4.8e-06)


def test_guild_scoped_agents_are_handed_the_same_object(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any]
) -> None:
    running = launch(emulator_props, GuildSyncAgent, GuildAsyncAgent)
    first, second = running.ask({"text": "hello"}, ASK, expect=2)
    assert first.payload["llm_id"] == second.payload["llm_id"]
    assert first.payload["scope"] == second.payload["scope"] == f"{ORG}/{running.guild.id}/*"


def test_plain_llm_is_per_agent_on_one_meter(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any]
) -> None:
    running = launch(emulator_props, SyncLLMAgent, AsyncLLMAgent)
    first, second = running.ask({"text": "hello"}, ASK, expect=2)
    assert first.payload["llm_id"] != second.payload["llm_id"]
    assert {first.payload["scope"], second.payload["scope"]} == {
        f"{ORG}/{running.guild.id}/agent0",
        f"{ORG}/{running.guild.id}/agent1",
    }
    assert first.payload["meter_id"] == second.payload["meter_id"]


def test_org_scope_is_shared_across_guilds_but_not_across_orgs(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any]
) -> None:
    [one] = launch(emulator_props, OrgAgent).ask({"text": "a"}, ASK)
    [two] = launch(emulator_props, OrgAgent).ask({"text": "b"}, ASK)
    [other] = launch(emulator_props, OrgAgent, org="globex").ask({"text": "c"}, ASK)
    assert one.payload["llm_id"] == two.payload["llm_id"]
    assert one.payload["scope"] == f"{ORG}/*/*"
    assert other.payload["scope"] == "globex/*/*"
    assert other.payload["meter_id"] != one.payload["meter_id"]
