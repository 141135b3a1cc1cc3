"""The built-in in-memory meter: running totals per scope and model, and in-process budget holds."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from llm_resolver.metering.events import UsageEvent
from llm_resolver.metering.reservation import Reservation, budget_exceeded, fits
from llm_resolver.resolution.scope import Scope


@dataclass
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


class InMemoryMeter:
    """Totals only (no event log), so memory stays flat however long the process runs.

    Also a budget meter: it enforces ``budget_usd`` within the process, against its own totals.
    """

    def __init__(self) -> None:
        self._totals: dict[tuple[Scope, str], MeterTotals] = {}
        self._held: dict[Scope, float] = {}
        self._lock = threading.Lock()

    def record(self, event: UsageEvent) -> None:
        with self._lock:
            self._totals.setdefault((event.scope, event.model), MeterTotals()).add(event)

    def totals(self, scope: Scope | None = None, model: str | None = None) -> MeterTotals:
        out = MeterTotals()
        with self._lock:
            for (s, m), t in self._totals.items():
                if (scope is None or s == scope) and (model is None or m == model):
                    for name in vars(out):
                        setattr(out, name, getattr(out, name) + getattr(t, name))
        return out

    def spend(self, scope: Scope | None = None) -> float:
        return self.totals(scope).cost_usd

    def reserved(self, scope: Scope | None = None) -> float:
        """What calls in flight hold against the budget (one scope, or all)."""
        with self._lock:
            return sum(v for s, v in self._held.items() if scope is None or s == scope)

    def reserve(self, reservation: Reservation) -> None:
        scope = reservation.scope
        with self._lock:
            spent = sum(t.cost_usd for (s, _), t in self._totals.items() if s == scope)
            held = self._held.get(scope, 0.0)
            for budget in reservation.budgets:
                if not fits(reservation, budget, spent, held):
                    raise budget_exceeded(reservation, budget, spent, held)
            self._held[scope] = held + reservation.estimate_usd

    def settle(self, reservation: Reservation, cost_usd: float) -> None:
        with self._lock:
            left = self._held.get(reservation.scope, 0.0) - reservation.estimate_usd
            if left > 1e-15:
                self._held[reservation.scope] = left
            else:
                self._held.pop(reservation.scope, None)
