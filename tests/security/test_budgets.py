"""Budgets hold against hostile callers: a per-call max_tokens cannot shrink the reservation, and a
budget set for a scope covers everything beneath it, however many sub-scopes a caller names."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from llm_resolver import (
    ChatResponse,
    LiteLLMResolver,
    LLMBadRequestError,
    LLMBudgetExceededError,
    LLMContextWindowError,
    LLMError,
    Scope,
    SpecError,
)
from llm_resolver.backend.loader import litellm
from llm_resolver.testing import ProviderEmulator, Reply

MODEL = "openai/gpt-4o-mini"


def cost(prompt: int, completion: int) -> float:
    return float(
        sum(litellm().cost_per_token(model=MODEL, prompt_tokens=prompt, completion_tokens=completion))
    )


def resolver(settings: dict[str, Any], **overrides: Any) -> LiteLLMResolver:
    return LiteLLMResolver(env={}, **{**settings, "retry": {"initial_wait": 0, "jitter": 0}, **overrides})


async def _spend_concurrently(llm: Any, calls: int, **options: Any) -> list[Any]:
    return await asyncio.gather(
        *(llm.acomplete("hello", **options) for _ in range(calls)), return_exceptions=True
    )


async def _outcome(call: Awaitable[ChatResponse]) -> ChatResponse | LLMError:
    try:
        return await call
    except LLMError as error:
        return error


@pytest.mark.parametrize("max_tokens", [-1, 0, -(10**9)])
async def test_a_negative_max_tokens_cannot_make_the_reservation_free(
    provider_emulator: ProviderEmulator,
    emulator_settings: dict[str, Any],
    max_tokens: int,
    litellm_async_clients: None,
) -> None:
    provider_emulator.default_reply = Reply(usage=(10, 200), delay=0.02)
    budget = 3 * cost(10, 200)
    llm = resolver(emulator_settings, budget_usd=budget, max_tokens=200).get_or_resolve(Scope(org="acme"))
    results = await _spend_concurrently(llm, 100, max_tokens=max_tokens)
    assert all(isinstance(r, LLMBadRequestError) for r in results)
    assert provider_emulator.request_count() == 0


async def test_an_absurd_max_tokens_is_refused_before_any_request(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any], litellm_async_clients: None
) -> None:
    llm = resolver(emulator_settings, budget_usd=1.0).get_or_resolve(Scope(org="acme"))
    results = await _spend_concurrently(llm, 100, max_tokens=10**9)
    assert all(isinstance(r, LLMContextWindowError) for r in results)
    assert provider_emulator.request_count() == 0


async def test_a_max_tokens_past_the_model_s_output_limit_is_reserved_at_that_limit(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any], litellm_async_clients: None
) -> None:
    """gpt-4o-mini writes at most 16,384 tokens: that, not the 100,000 asked for, is what a call may
    cost, so a budget for four such calls admits four of 100 concurrent ones."""
    most = int(litellm().get_model_info(MODEL)["max_output_tokens"])
    provider_emulator.default_reply = Reply(usage=(10, most), delay=0.05)
    budget = 4.5 * cost(20, most)
    res = resolver(emulator_settings, budget_usd=budget)
    llm = res.get_or_resolve(Scope(org="acme"))
    results = await _spend_concurrently(llm, 100, max_tokens=100_000)
    ok = [r for r in results if not isinstance(r, BaseException)]
    assert len(ok) == 4
    assert all(isinstance(r, LLMBudgetExceededError) for r in results if isinstance(r, BaseException))
    assert res.meter.spend(Scope(org="acme")) <= budget
    assert provider_emulator.requests[-1].body["max_tokens"] == 100_000  # sent as asked


async def test_a_budget_for_a_scope_covers_every_scope_beneath_it(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any], litellm_async_clients: None
) -> None:
    provider_emulator.default_reply = Reply(usage=(10, 100))
    each = cost(20, 100)
    res = resolver(emulator_settings, max_tokens=100, budget_usd={"scopes": {"acme": 3.5 * each}})
    results = [
        await _outcome(res.get_or_resolve(Scope("acme", f"g{n}", f"agent-{n}")).acomplete("hello"))
        for n in range(12)
    ]
    refused = [r for r in results if isinstance(r, LLMBudgetExceededError)]
    assert len(results) - len(refused) == 3
    assert {r.scope for r in refused} == {Scope(org="acme")}
    assert "scope acme/*/* (which covers acme/g" in str(refused[0])
    # Another org is not held to acme's budget (and has none of its own here).
    await res.get_or_resolve(Scope("globex", "g1")).acomplete("hello")


async def test_a_llm_charged_at_a_parent_scope_cannot_mint_fresh_budgets(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any], litellm_async_clients: None
) -> None:
    """What a server does for a key held to ``acme``: every ``acme/...`` scope it names spends acme's."""
    provider_emulator.default_reply = Reply(usage=(10, 100))
    each = cost(20, 100)
    res = resolver(emulator_settings, max_tokens=100, budget_usd=2.5 * each)
    held = Scope(org="acme")
    results = [
        await _outcome(res.get_or_resolve(Scope("acme", f"g{n}")).charged_at(held).acomplete("hello"))
        for n in range(10)
    ]
    refused = [r for r in results if isinstance(r, LLMBudgetExceededError)]
    assert len(results) - len(refused) == 2
    assert {r.scope for r in refused} == {held}
    assert res.meter.spend(held) <= 2.5 * each


def test_charging_a_scope_that_does_not_cover_the_llm_is_refused(emulator_settings: dict[str, Any]) -> None:
    llm = resolver(emulator_settings, budget_usd=1).get_or_resolve(Scope("acme", "g1"))
    with pytest.raises(ValueError, match="does not cover"):
        llm.charged_at(Scope(org="globex"))


@pytest.mark.parametrize(
    "budget",
    [{"scopes": {"a/b/c/d": 1}}, {"scopes": {"acme": -1}}, {}, {"usd": 1, "per": "org"}],
    ids=repr,
)
def test_bad_budget_settings_are_spec_errors(
    emulator_settings: dict[str, Any], budget: dict[str, Any]
) -> None:
    with pytest.raises(SpecError, match="budget_usd"):
        resolver(emulator_settings, budget_usd=budget)
