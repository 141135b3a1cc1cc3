"""Embedding calls are held against budget_usd as chat calls are: refused before any request once a
budget covering their scope is spent, holding the texts' tokens at the model's input price while in
flight, and settled with what the provider billed."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from llm_resolver import LLMBudgetExceededError, Scope, SpecError
from llm_resolver.backend import catalog
from llm_resolver.backend.loader import litellm
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.testing import ProviderEmulator, Reply
from tests.helpers import MakeLLM

from .conftest import embed

pytestmark = pytest.mark.usefixtures("litellm_async_clients")

MODEL = "openai/text-embedding-3-small"
TEXT = "The quick brown fox jumps over the lazy dog. " * 20
HELD = Scope(org="acme", guild="support")


def tokens(*texts: str) -> int:
    return sum(catalog.count_tokens(MODEL, text=t) for t in texts)


def cost(prompt_tokens: int) -> float:
    return float(sum(litellm().cost_per_token(model=MODEL, prompt_tokens=prompt_tokens, completion_tokens=0)))


def at(llm: LiteLLM, scope: Scope, charged: tuple[Scope, ...] = ()) -> LiteLLM:
    return LiteLLM.over(llm.core, scope, charged)


def bill(emu: ProviderEmulator, prompt_tokens: int, delay: float = 0.0) -> None:
    """Every embedding request is answered with ``prompt_tokens`` of usage."""
    emu.default_reply = Reply(usage=(prompt_tokens, 0), delay=delay)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_an_embedding_call_over_a_spent_budget_is_refused_before_any_request(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    estimate = cost(tokens(TEXT))
    bill(provider_emulator, tokens(TEXT))
    llm = make_llm(budget_usd=1.5 * estimate)

    await embed(llm, mode, [TEXT])
    with pytest.raises(LLMBudgetExceededError) as refused:
        await embed(llm, mode, [TEXT])

    assert provider_emulator.request_count() == 1
    assert refused.value.spent_usd == pytest.approx(estimate)
    assert refused.value.budget_usd == pytest.approx(1.5 * estimate)
    assert "no request was sent" in str(refused.value)
    assert MODEL in str(refused.value)
    assert llm.meter.reserved() == 0
    with pytest.raises(LLMBudgetExceededError):  # the same budget refuses chat too
        llm.complete("hello", max_tokens=5)
    assert provider_emulator.request_count() == 1


async def test_a_spent_ancestor_budget_refuses_every_scope_beneath_it(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    estimate = cost(tokens(TEXT))
    bill(provider_emulator, tokens(TEXT))
    llm = make_llm(budget_usd={"scopes": {"acme": 1.5 * estimate}})

    await at(llm, Scope(org="acme", guild="support", agent="a1")).aembed([TEXT])
    with pytest.raises(LLMBudgetExceededError) as refused:
        await at(llm, Scope(org="acme", guild="sales", agent="a2")).aembed([TEXT])
    await at(llm, Scope(org="other")).aembed([TEXT])  # not under acme

    assert refused.value.scope == Scope(org="acme")
    assert provider_emulator.request_count() == 2


async def test_the_estimate_covers_every_batch_of_the_call(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    texts = [f"{TEXT} {i}" for i in range(6)]
    llm = make_llm(embedding_batch_size=2, budget_usd=0.9 * cost(tokens(*texts)))

    with pytest.raises(LLMBudgetExceededError):
        llm.embed(texts)
    assert provider_emulator.request_count() == 0

    roomy = make_llm(embedding_batch_size=2, budget_usd=1.01 * cost(tokens(*texts)))
    assert len(roomy.embed(texts).vectors) == 6
    assert provider_emulator.request_count() == 3


async def test_the_hold_is_the_estimate_and_is_settled_with_the_billed_cost(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    counted = tokens(TEXT)
    estimate = cost(counted)
    bill(provider_emulator, counted // 2, delay=0.2)  # the provider bills half what we counted
    llm = make_llm(budget_usd=1.5 * estimate)

    first = asyncio.create_task(llm.aembed([TEXT]))
    await asyncio.sleep(0.1)
    held = llm.meter.reserved()
    response = await first

    assert held == pytest.approx(estimate)
    assert response.cost_usd == pytest.approx(cost(counted // 2))
    assert llm.meter.spend() == pytest.approx(cost(counted // 2))
    assert llm.meter.reserved() == 0
    # Settled with what was billed, not the estimate: a second call still fits (0.5 + 1 <= 1.5) ...
    await llm.aembed([TEXT])
    # ... and a third does not (1 + 1 > 1.5).
    with pytest.raises(LLMBudgetExceededError):
        await llm.aembed([TEXT])
    assert provider_emulator.request_count() == 2


async def test_fifty_concurrent_embedding_calls_never_overshoot_a_budget_that_fits_ten(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    estimate = cost(tokens(TEXT))
    budget = 10 * estimate * (1 + 1e-9)
    bill(provider_emulator, tokens(TEXT), delay=0.05)
    llm = make_llm(budget_usd=budget)
    worst: list[float] = []
    done = asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            worst.append(llm.meter.spend() + llm.meter.reserved())
            await asyncio.sleep(0.001)

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(llm.aembed([TEXT]) for _ in range(50)), return_exceptions=True)
    done.set()
    await watcher

    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(results) - len(refused) == 10
    assert all(isinstance(r, LLMBudgetExceededError) for r in refused)
    assert provider_emulator.request_count() == 10
    assert max(worst) <= budget
    assert llm.meter.spend() == pytest.approx(10 * estimate)
    assert llm.meter.reserved() == 0


def test_concurrent_sync_embedding_calls_on_threads_never_overshoot(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    estimate = cost(tokens(TEXT))
    budget = 5 * estimate * (1 + 1e-9)
    bill(provider_emulator, tokens(TEXT), delay=0.05)
    llm = make_llm(budget_usd=budget)

    def one(_: int) -> Any:
        try:
            return llm.embed([TEXT])
        except LLMBudgetExceededError as error:
            return error

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))

    assert sum(not isinstance(r, LLMBudgetExceededError) for r in results) == 5
    assert provider_emulator.request_count() == 5
    assert llm.meter.spend() <= budget
    assert llm.meter.reserved() == 0


def test_an_unpriced_embedding_model_under_a_budget_is_refused_as_chat_is(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(embedding_model="openai/house-embedder", budget_usd=1.0)

    with pytest.raises(SpecError, match="openai/house-embedder has no price") as error:
        llm.embed(["hello"])

    assert error.value.field == "budget_usd"
    assert provider_emulator.request_count() == 0
    priced = make_llm(
        embedding_model="openai/house-embedder",
        model_info={"openai/house-embedder": {"input_cost_per_token": 1e-6}},
        budget_usd=1.0,
    )
    assert priced.embed(["hello"]).cost_usd is not None
    assert provider_emulator.request_count() == 1


def test_without_a_budget_nothing_is_reserved_or_refused(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(embedding_model="openai/house-embedder")  # unpriced, but no budget to check

    assert len(llm.embed(["hello"]).vectors) == 1
    assert llm.meter.reserved() == 0


def test_the_embedder_checks_the_budgets_of_the_scopes_a_call_is_charged_to(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    estimate = cost(tokens(TEXT))
    bill(provider_emulator, tokens(TEXT))
    llm = make_llm(budget_usd=1.5 * estimate)
    embedder = llm.core.embedder

    embedder.embed([TEXT], {}, Scope(org="acme", guild="support", agent="a1"), (HELD,))
    with pytest.raises(LLMBudgetExceededError) as refused:
        embedder.embed([TEXT], {}, Scope(org="acme", guild="support", agent="a2"), (HELD,))

    assert refused.value.scope == HELD
    assert provider_emulator.request_count() == 1


def test_a_handle_charged_to_a_held_scope_embeds_within_that_scopes_budget(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    estimate = cost(tokens(TEXT))
    bill(provider_emulator, tokens(TEXT))
    llm = make_llm(budget_usd=1.5 * estimate)

    at(llm, Scope(org="acme", guild="support", agent="a1")).charged_at(HELD).embed([TEXT])
    with pytest.raises(LLMBudgetExceededError):
        at(llm, Scope(org="acme", guild="support", agent="a2")).charged_at(HELD).embed([TEXT])
