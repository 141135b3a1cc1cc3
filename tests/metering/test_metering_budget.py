"""Budgets: a call reserves its worst-case cost before any request and settles after; concurrent
calls cannot overshoot; meters can veto; estimates follow max_tokens, the model map and fallbacks."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading

import pytest

from llm_resolver import (
    LiteLLMConfig,
    LLMAuthenticationError,
    LLMBudgetExceededError,
    LLMConnectionError,
    Scope,
    SpecError,
    Tool,
)
from llm_resolver.backend import catalog
from llm_resolver.backend.loader import litellm
from llm_resolver.backend.targets import targets_for
from llm_resolver.metering import Reservation, budget_exceeded
from llm_resolver.metering.estimate import estimate_usd
from llm_resolver.testing import Fault, ProviderEmulator, Reply
from llm_resolver.types.request import coerce_request

from .conftest import MakeResolver, MeterPlugin, RecordingMeter

MODEL = "openai/gpt-4o-mini"
PROMPT = [{"role": "user", "content": "hello"}]


def cost(model: str, prompt: int, completion: int) -> float:
    return float(
        sum(litellm().cost_per_token(model=model, prompt_tokens=prompt, completion_tokens=completion))
    )


def prompt_tokens(model: str = MODEL, messages: list[dict[str, str]] = PROMPT) -> int:
    return catalog.count_tokens(model, messages)


async def test_fifty_concurrent_calls_never_overshoot_a_budget_that_fits_ten(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, litellm_async_clients: None
) -> None:
    estimate = cost(MODEL, prompt_tokens(), 20)
    budget = 10 * estimate * (1 + 1e-9)
    provider_emulator.default_reply = Reply(usage=(5, 20), delay=0.05)  # bills a little under the estimate
    resolver = make_resolver(budget_usd=budget, max_tokens=20)
    scope = Scope(org="acme")
    llm = resolver.get_or_resolve(scope)
    worst: list[float] = []
    done = asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            worst.append(resolver.meter.spend(scope) + resolver.meter.reserved(scope))
            await asyncio.sleep(0.001)

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(llm.acomplete("hello") for _ in range(50)), return_exceptions=True)
    done.set()
    await watcher

    ok = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(ok) == 10
    assert all(isinstance(r, LLMBudgetExceededError) for r in refused)
    assert provider_emulator.request_count() == 10  # the refused ones never reached the provider
    assert max(worst) <= budget
    assert resolver.meter.reserved() == 0
    assert resolver.meter.spend(scope) == pytest.approx(10 * cost(MODEL, 5, 20))
    error = refused[0]
    assert isinstance(error, LLMBudgetExceededError)
    assert (error.scope, error.budget_usd, error.spent_usd) == (scope, budget, 0.0)
    assert "scope acme/*/* is over its budget" in str(error)
    assert "no request was sent" in str(error)
    assert "Raise budget_usd" in str(error)
    # Spend now counts: one more estimate does not fit beside what ten calls cost.
    with pytest.raises(LLMBudgetExceededError) as caught:
        await llm.acomplete("hello")
    assert caught.value.spent_usd == pytest.approx(10 * cost(MODEL, 5, 20))


def test_sequential_calls_stop_when_spend_plus_the_next_estimate_passes_the_budget(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    provider_emulator.default_reply = Reply(usage=(5, 10))
    estimate = cost(MODEL, prompt_tokens(), 10)
    llm = make_resolver(budget_usd=2.5 * estimate, max_tokens=10).get_or_resolve()
    llm.complete("hello")
    llm.complete("hello")
    with pytest.raises(LLMBudgetExceededError):
        llm.complete("hello")
    assert provider_emulator.request_count() == 2
    other_scope = make_resolver(budget_usd=2.5 * estimate, max_tokens=10)
    assert other_scope.get_or_resolve(Scope(org="other")).complete("hello").text == "echo: hello"


def test_a_zero_budget_refuses_everything(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    with pytest.raises(LLMBudgetExceededError):
        make_resolver(budget_usd=0).get_or_resolve().complete("hello")
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("settings", "per_call", "completion"),
    [
        ({}, {}, 16384),  # the model map's max_output_tokens for gpt-4o-mini
        ({"budget_usd": {"usd": 1.0, "completion_tokens": 100}}, {}, 100),
        ({"max_tokens": 50, "budget_usd": {"usd": 1.0, "completion_tokens": 100}}, {}, 50),
        ({"max_tokens": 50}, {"max_tokens": 7}, 7),
    ],
)
def test_the_reservation_bounds_the_completion_by_max_tokens_then_budget_then_model_map(
    make_resolver: MakeResolver,
    meter_plugin: MeterPlugin,
    settings: dict[str, object],
    per_call: dict[str, object],
    completion: int,
) -> None:
    llm = make_resolver(**{"budget_usd": 1.0, **settings, "cost_meters": ["recorder"]}).get_or_resolve()
    llm.complete("hello", **per_call)
    [reservation] = meter_plugin.recorder.reserved
    assert reservation.estimate_usd == pytest.approx(cost(MODEL, prompt_tokens(), completion))
    assert (reservation.budget_usd, reservation.model) == (1.0, MODEL)


def test_the_reservation_prices_the_dearest_model_the_call_may_reach(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    llm = make_resolver(
        budget_usd=1.0, max_tokens=10, fallback_models=["openai/gpt-4o"], cost_meters=["recorder"]
    ).get_or_resolve()
    llm.complete("hello")
    [reservation] = meter_plugin.recorder.reserved
    assert reservation.estimate_usd == pytest.approx(
        cost("openai/gpt-4o", prompt_tokens("openai/gpt-4o"), 10)
    )


def test_tools_count_towards_the_prompt_estimate() -> None:
    weather = Tool(
        "weather", "The weather in a city, today and tomorrow.", {"type": "object", "properties": {}}
    )
    config = LiteLLMConfig(model=MODEL, max_tokens=10)
    targets = targets_for(config)
    plain = estimate_usd(targets, coerce_request("hello"), config, None)
    with_tools = estimate_usd(targets, coerce_request("hello", tools=[weather]), config, None)
    assert plain == pytest.approx(cost(MODEL, prompt_tokens(), 10))
    assert with_tools > plain


def test_retries_run_under_one_reservation_settled_with_the_real_cost(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    provider_emulator.script(Fault.server_error(), Fault.unavailable(), Reply(usage=(10, 5)))
    resolver = make_resolver(budget_usd=1.0, max_tokens=10, cost_meters=["recorder"])
    resolver.get_or_resolve().complete("hello")
    [reservation] = meter_plugin.recorder.reserved
    [(settled, spent)] = meter_plugin.recorder.settled
    assert settled is reservation
    assert spent == pytest.approx(cost(MODEL, 10, 5))
    assert meter_plugin.recorder.outcomes() == ["error", "error", "ok"]
    assert resolver.meter.reserved() == 0


def test_a_failed_call_releases_its_reservation(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    provider_emulator.script(Fault.auth())
    resolver = make_resolver(budget_usd=1.0, max_tokens=10)
    with pytest.raises(LLMAuthenticationError):
        resolver.get_or_resolve().complete("hello")
    assert resolver.meter.reserved() == 0


def test_an_unpriced_model_cannot_run_under_a_budget_unless_priced_in_the_config(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    with pytest.raises(SpecError, match="has no price") as caught:
        make_resolver(model="openai/house-model-7", budget_usd=1.0).get_or_resolve().complete("hello")
    assert caught.value.field == "budget_usd"
    assert provider_emulator.request_count() == 0
    priced = make_resolver(
        model="openai/house-model-7",
        budget_usd=1.0,
        max_tokens=10,
        input_cost_per_token=1e-6,
        output_cost_per_token=2e-6,
        cost_meters=["recorder"],
    )
    priced.get_or_resolve().complete("hello")
    [reservation] = meter_plugin.recorder.reserved
    assert reservation.estimate_usd == pytest.approx(prompt_tokens("openai/house-model-7") * 1e-6 + 10 * 2e-6)


class VetoMeter:
    def record(self, event: object) -> None:
        pass

    def reserve(self, reservation: Reservation) -> None:
        raise budget_exceeded(reservation, reservation.budgets[0], spent_usd=0.5, held_usd=0.0)

    def settle(self, reservation: Reservation, cost_usd: float) -> None:
        raise AssertionError("a vetoed reservation is never settled")


def test_a_meter_can_veto_a_call_and_earlier_holds_are_released(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    meter_plugin.extra["veto"] = VetoMeter
    resolver = make_resolver(budget_usd=1.0, max_tokens=10, cost_meters=["recorder", "veto"])
    with pytest.raises(LLMBudgetExceededError) as caught:
        resolver.get_or_resolve().complete("hello")
    assert caught.value.spent_usd == 0.5
    assert provider_emulator.request_count() == 0
    assert resolver.meter.reserved() == 0
    [(released, spent)] = meter_plugin.recorder.settled  # the recorder had reserved before the veto
    assert released is meter_plugin.recorder.reserved[0]
    assert spent == 0.0


class BrokenBudgetMeter(RecordingMeter):
    def reserve(self, reservation: Reservation) -> None:
        raise OSError("ledger unreachable")


def test_a_meter_failing_to_reserve_refuses_the_call_by_default(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    """A budget that cannot be checked does not let calls through (fail closed)."""
    meter_plugin.extra["broken"] = BrokenBudgetMeter
    llm = make_resolver(budget_usd=1.0, max_tokens=10, cost_meters=["broken"]).get_or_resolve()
    with pytest.raises(
        LLMBudgetExceededError, match="the budget could not be checked: cost meter BrokenBudgetMeter"
    ):
        llm.complete("hello")
    assert provider_emulator.request_count() == 0


def test_on_meter_error_allow_lets_the_call_through_a_failing_meter(
    make_resolver: MakeResolver, meter_plugin: MeterPlugin, caplog: pytest.LogCaptureFixture
) -> None:
    meter_plugin.extra["broken"] = BrokenBudgetMeter
    budget = {"usd": 1.0, "on_meter_error": "allow"}
    llm = make_resolver(budget_usd=budget, max_tokens=10, cost_meters=["broken"]).get_or_resolve()
    with caplog.at_level(logging.ERROR):
        assert llm.complete("hello").text == "echo: hello"
    assert "failed to reserve" in caplog.text


def test_no_budget_means_no_reservation(make_resolver: MakeResolver, meter_plugin: MeterPlugin) -> None:
    make_resolver(cost_meters=["recorder"]).get_or_resolve().complete("hello")
    assert meter_plugin.recorder.reserved == []
    assert meter_plugin.recorder.outcomes() == ["ok"]


def test_a_stream_holds_its_reservation_until_it_ends(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    resolver = make_resolver(budget_usd=1.0, max_tokens=10)
    llm = resolver.get_or_resolve()
    stream = llm.stream("one two three four")
    assert resolver.meter.reserved() == 0  # nothing reserved before the stream is read
    next(stream)
    assert resolver.meter.reserved() == pytest.approx(
        cost(MODEL, prompt_tokens(messages=[{"role": "user", "content": "one two three four"}]), 10)
    )
    for _ in stream:
        pass
    assert resolver.meter.reserved() == 0
    assert resolver.meter.spend() == pytest.approx(stream.response.cost_usd)


async def test_a_broken_async_stream_releases_its_reservation(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, litellm_async_clients: None
) -> None:
    provider_emulator.script(Fault.drop_mid_stream(after_chunks=2))
    resolver = make_resolver(budget_usd=1.0, max_tokens=10)
    with pytest.raises(LLMConnectionError):
        async for _ in resolver.get_or_resolve().astream("one two three four five six"):
            pass
    assert resolver.meter.reserved() == 0
    assert resolver.meter.spend() > 0


def test_a_dropped_stream_releases_its_reservation(make_resolver: MakeResolver) -> None:
    resolver = make_resolver(budget_usd=1.0, max_tokens=10)
    stream = resolver.get_or_resolve().stream("one two three four five six")
    next(stream)
    assert resolver.meter.reserved() > 0
    del stream
    gc.collect()
    assert resolver.meter.reserved() == 0
    assert resolver.meter.spend() > 0  # what it read is billed


def test_threads_sharing_a_scope_stay_within_the_budget(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    provider_emulator.default_reply = Reply(usage=(5, 10), delay=0.02)
    estimate = cost(MODEL, prompt_tokens(), 10)
    budget = 5 * estimate * (1 + 1e-9)
    resolver = make_resolver(budget_usd=budget, max_tokens=10)
    llm = resolver.get_or_resolve()
    outcomes: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            llm.complete("hello")
            result = "ok"
        except LLMBudgetExceededError:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == provider_emulator.request_count() >= 5
    assert resolver.meter.spend() <= budget
    assert resolver.meter.reserved() == 0
