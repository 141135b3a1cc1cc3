"""Nested budgets in the in-memory meter: a budget holds everything recorded and in flight at or
beneath its scope, every budget of a reservation is checked before anything is held, and the
read-outs of a scope include everything beneath it."""

from __future__ import annotations

import random
import threading

import pytest

from llm_resolver import InMemoryMeter, LLMBudgetExceededError, Scope
from llm_resolver.backend import catalog
from llm_resolver.backend.loader import litellm
from llm_resolver.metering import Budget, Reservation, UsageEvent
from llm_resolver.testing import ProviderEmulator, Reply
from llm_resolver.types.responses import Usage

from .conftest import MakeResolver

MODEL = "openai/gpt-4o-mini"
ACME = Scope(org="acme")


def event(scope: Scope, cost: float | None, model: str = MODEL) -> UsageEvent:
    return UsageEvent(
        scope=scope,
        model=model,
        operation="complete",
        request_id="r",
        usage=Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15),
        cost_usd=cost,
        latency_s=0.1,
        outcome="ok",
    )


def reservation(scope: Scope, estimate: float, *budgets: tuple[Scope, float]) -> Reservation:
    return Reservation(
        scope=scope,
        model=MODEL,
        request_id="r",
        estimate_usd=estimate,
        budgets=tuple(Budget(s, usd) for s, usd in budgets),
    )


def test_spend_beneath_a_budgets_scope_counts_against_it_and_a_refused_call_holds_nothing() -> None:
    meter = InMemoryMeter()
    meter.record(event(Scope("acme", "support", "triage"), 0.4))
    meter.record(event(Scope("globex"), 5.0))
    call = Scope("acme", "sales", "bot")

    with pytest.raises(LLMBudgetExceededError) as caught:
        meter.reserve(reservation(call, 0.2, (call, 1.0), (ACME, 0.5)))

    error = caught.value
    assert (error.scope, error.budget_usd, error.spent_usd) == (ACME, 0.5, pytest.approx(0.4))
    assert "scope acme/*/* (which covers acme/sales/bot) is over its budget" in str(error)
    assert meter.reserved() == 0  # the call's own budget had room, yet nothing was held
    meter.reserve(reservation(call, 0.1, (call, 1.0), (ACME, 0.5)))
    assert meter.reserved(call) == meter.reserved(ACME) == pytest.approx(0.1)


def test_holds_of_calls_in_flight_beneath_a_budget_count_once_each_until_settled() -> None:
    meter = InMemoryMeter()
    g1, g1a, g2b, g3c = (
        Scope("acme", "g1"),
        Scope("acme", "g1", "a"),
        Scope("acme", "g2", "b"),
        Scope("acme", "g3", "c"),
    )
    first = reservation(g1a, 0.3, (g1a, 1.0), (g1, 1.0), (ACME, 1.0))
    second = reservation(g2b, 0.3, (g2b, 1.0), (ACME, 1.0))
    third = reservation(g3c, 0.5, (g3c, 1.0), (ACME, 1.0))
    meter.reserve(first)
    meter.reserve(second)

    assert meter.reserved(ACME) == pytest.approx(0.6)  # the first once, though it carries three budgets
    assert (meter.reserved(g1), meter.reserved(g2b)) == (pytest.approx(0.3), pytest.approx(0.3))
    assert meter.reserved() == meter.reserved(Scope()) == pytest.approx(0.6)
    with pytest.raises(LLMBudgetExceededError, match=r"\$0\.600000 held by calls in flight"):
        meter.reserve(third)

    meter.settle(first, 0.0)
    assert (meter.reserved(ACME), meter.reserved(g1)) == (pytest.approx(0.3), 0)
    meter.reserve(third)
    meter.settle(second, 0.0)
    meter.settle(third, 0.0)
    assert meter.reserved() == 0  # exactly: no float residue at any level


def test_read_outs_include_everything_beneath_a_scope() -> None:
    meter = InMemoryMeter()
    triage, support, bot = (
        Scope("acme", "support", "triage"),
        Scope("acme", "support"),
        Scope("acme", "sales", "bot"),
    )
    meter.record(event(triage, 0.1))
    meter.record(event(triage, 0.1))
    meter.record(event(support, 0.2))  # a call made at the guild itself
    meter.record(event(bot, 0.4, model="anthropic/claude-haiku-4-5"))
    meter.record(event(bot, None))
    meter.record(event(Scope("globex"), 1.0))

    assert (meter.totals(ACME).calls, meter.totals(ACME).unpriced) == (5, 1)
    assert meter.totals(support).cost_usd == pytest.approx(0.4)
    assert meter.totals(triage).calls == 2
    assert meter.totals(ACME, model="anthropic/claude-haiku-4-5").calls == 1
    assert meter.totals(Scope()) == meter.totals()
    assert meter.totals().calls == 6
    assert (meter.spend(ACME), meter.spend(support), meter.spend(triage)) == (
        pytest.approx(0.8),
        pytest.approx(0.4),
        pytest.approx(0.2),
    )
    assert meter.spend() == meter.spend(Scope()) == pytest.approx(1.8)
    assert meter.spend(Scope("acme", "sales")) == pytest.approx(0.4)


# Two names and "*" in each part: every shape of scope, with and without a named part after a "*".
PARTS = ("a", "b", "*")
SCOPES = [Scope(o, g, a) for o in PARTS for g in PARTS for a in PARTS]


def test_a_budget_at_any_shape_of_scope_holds_exactly_what_it_covers() -> None:
    """``acme/*/*`` is read from one aggregate; ``*/support/*`` or ``*/*/bot`` add several up."""
    rng = random.Random(7)
    meter = InMemoryMeter()
    events = [(rng.choice(SCOPES), rng.choice((0.01, 0.02, 0.05))) for _ in range(300)]
    for scope, cost in events:
        meter.record(event(scope, cost))
    flights = [reservation(s, rng.choice((0.001, 0.003)), (Scope(), 1e9)) for s in rng.choices(SCOPES, k=40)]
    for flight in flights:
        meter.reserve(flight)

    for budget in SCOPES:
        spent = sum(cost for scope, cost in events if budget.covers(scope))
        held = sum(f.estimate_usd for f in flights if budget.covers(f.scope))
        assert (meter.spend(budget), meter.reserved(budget)) == (pytest.approx(spent), pytest.approx(held))
        call = Scope(
            *(
                rng.choice(("a", "b")) if part == "*" else part
                for part in (budget.org, budget.guild, budget.agent)
            )
        )
        refused = reservation(call, 0.01, (call, 1e9), (budget, spent + held + 0.009))
        with pytest.raises(LLMBudgetExceededError) as caught:
            meter.reserve(refused)
        assert (caught.value.scope, caught.value.spent_usd) == (budget, pytest.approx(spent))
        admitted = reservation(call, 0.01, (call, 1e9), (budget, spent + held + 0.011))
        meter.reserve(admitted)
        meter.settle(admitted, 0.0)


def test_a_hundred_threads_never_over_admit_against_a_parent_budget() -> None:
    meter = InMemoryMeter()
    estimate = 0.01
    start = threading.Barrier(100)
    granted: list[Reservation] = []
    refused: list[LLMBudgetExceededError] = []

    def work(n: int) -> None:
        call = Scope("acme", f"guild-{n % 7}", f"agent-{n}")
        wanted = reservation(call, estimate, (call, 1.0), (Scope("acme", f"guild-{n % 7}"), 1.0), (ACME, 0.1))
        start.wait()
        try:
            meter.reserve(wanted)
            granted.append(wanted)
        except LLMBudgetExceededError as exc:
            refused.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert (len(granted), len(refused)) == (10, 90)
    assert all(e.scope == ACME for e in refused)
    assert meter.reserved(ACME) == pytest.approx(10 * estimate)
    for r in granted:
        meter.settle(r, 0.0)
    assert meter.reserved() == 0


def test_through_calls_a_call_at_an_org_is_held_to_what_its_agents_spent(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    price = float(sum(litellm().cost_per_token(model=MODEL, prompt_tokens=5, completion_tokens=20)))
    estimate = float(
        sum(
            litellm().cost_per_token(
                model=MODEL,
                prompt_tokens=catalog.count_tokens(MODEL, [{"role": "user", "content": "hello"}]),
                completion_tokens=20,
            )
        )
    )
    provider_emulator.default_reply = Reply(usage=(5, 20))
    resolver = make_resolver(budget_usd=2.5 * estimate, max_tokens=20)
    for agent in ("triage", "billing"):
        resolver.get_or_resolve(Scope("acme", "support", agent)).complete("hello")

    assert resolver.meter.spend(ACME) == pytest.approx(2 * price)
    assert resolver.meter.totals(Scope("acme", "support")).calls == 2
    with pytest.raises(LLMBudgetExceededError) as caught:
        resolver.get_or_resolve(ACME).complete("hello")  # acme/*/*: its budget covers both agents
    assert (caught.value.scope, caught.value.spent_usd) == (ACME, pytest.approx(2 * price))
    assert provider_emulator.request_count() == 2
