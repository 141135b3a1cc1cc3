"""The built-in in-memory meter: running totals per scope and model, and in-process budget holds."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypeVar

from llm_resolver.metering.reservation import Reservation, budget_exceeded, fits
from llm_resolver.metering.rollup import matches, rollup_keys
from llm_resolver.types.scope import ANY, Scope

if TYPE_CHECKING:
    from llm_resolver.metering.events import UsageEvent  # annotations only: resolving skips it

V = TypeVar("V")


@dataclass(slots=True)
class MeterTotals:
    calls: int = 0
    errors: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unpriced: int = 0

    def add(self, event: UsageEvent) -> None:
        self.calls += 1
        self.errors += event.outcome == "error"
        self.cached += event.outcome == "cached"
        self.prompt_tokens += event.usage.prompt_tokens
        self.completion_tokens += event.usage.completion_tokens
        if event.cost_usd is None:
            self.unpriced += 1
        else:
            self.cost_usd += event.cost_usd

    def include(self, other: MeterTotals) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class _Holds:
    """The estimates of the calls in flight at or beneath one scope, and how many they are: the last
    to settle removes the entry, so no float residue is left behind."""

    __slots__ = ("calls", "usd")

    def __init__(self) -> None:
        self.calls = 0
        self.usd = 0.0


class InMemoryMeter:
    """Totals only (no event log), so memory stays flat however long the process runs: per scope and
    model the totals, per ancestor scope (see ``rollup``) the spend, and holds while calls are in flight.
    Nothing nests beneath a scope that names its agent, so its spend is read from its totals instead of
    being kept twice (a quarter of the memory per agent).

    Also a budget meter: it enforces every budget of a reservation within the process, against its own
    totals. A budget at a scope ``ancestors()`` yields (``acme/support/*``, ``acme/*/*``…) is checked in
    constant time; one with a named part after a ``*`` (``*/support/*``) scans the scopes seen.
    Figures read for a scope include everything beneath it; ``Scope()`` (or ``None``) is everything.
    """

    def __init__(self) -> None:
        self._totals: dict[str, dict[Scope, MeterTotals]] = {}  # by model first: no key tuple per scope
        self._spent: dict[Scope, float] = {}
        self._held: dict[Scope, _Holds] = {}
        self._lock = threading.Lock()

    def record(self, event: UsageEvent) -> None:
        with self._lock:
            by_scope = self._totals.get(event.model) or self._totals.setdefault(event.model, {})
            (by_scope.get(event.scope) or by_scope.setdefault(event.scope, MeterTotals())).add(event)
            if event.cost_usd:
                for scope in event.scope.ancestors():
                    if scope.agent == ANY:
                        self._spent[scope] = self._spent.get(scope, 0.0) + event.cost_usd

    def totals(self, scope: Scope | None = None, model: str | None = None) -> MeterTotals:
        """Everything recorded at or beneath ``scope`` (for ``model``); reads every scope seen."""
        out = MeterTotals()
        with self._lock:
            for m, by_scope in self._totals.items():
                if model is None or m == model:
                    for s, t in by_scope.items():
                        if scope is None or scope.covers(s):
                            out.include(t)
        return out

    def spend(self, scope: Scope | None = None) -> float:
        """The cost of everything recorded at or beneath ``scope``: what its budget counts as spent."""
        with self._lock:
            return self._spent_within(scope or Scope())

    def reserved(self, scope: Scope | None = None) -> float:
        """What calls in flight at or beneath ``scope`` hold against its budget."""
        with self._lock:
            return sum(h.usd for h in _within(self._held, scope or Scope()))

    def reserve(self, reservation: Reservation) -> None:
        with self._lock:
            for budget in reservation.budgets:
                spent = self._spent_within(budget.scope)
                held = sum(h.usd for h in _within(self._held, budget.scope))
                if not fits(reservation, budget, spent, held):
                    raise budget_exceeded(reservation, budget, spent, held)
            for scope in reservation.scope.ancestors():
                holds = self._held.get(scope) or self._held.setdefault(scope, _Holds())
                holds.calls += 1
                holds.usd += reservation.estimate_usd

    def _spent_within(self, scope: Scope) -> float:
        """From the per-ancestor spend, or for scopes naming an agent (nothing beneath) their totals."""
        if rollup_keys(scope)[2] == ANY:
            return sum(_within(self._spent, scope))
        return sum(t.cost_usd for by_scope in self._totals.values() for t in _within(by_scope, scope))

    def settle(self, reservation: Reservation, cost_usd: float) -> None:
        with self._lock:
            for scope in reservation.scope.ancestors():
                holds = self._held.get(scope)
                if holds is None:
                    continue
                holds.calls -= 1
                holds.usd -= reservation.estimate_usd
                if holds.calls <= 0:
                    del self._held[scope]


def _within(aggregates: Mapping[Scope, V], scope: Scope) -> list[V]:
    """The aggregates that add up to everything ``scope`` covers."""
    keys = rollup_keys(scope)
    if None not in keys:
        found = aggregates.get(scope)
        return [] if found is None else [found]
    return [value for key, value in aggregates.items() if matches(keys, key)]
