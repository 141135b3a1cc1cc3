"""The meter protocols and the fan-out that keeps one failing meter from breaking a call."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from llm_resolver.errors import LLMBudgetExceededError
from llm_resolver.metering.events import UsageEvent
from llm_resolver.metering.reservation import Reservation

log = logging.getLogger(__name__)


@runtime_checkable
class CostMeter(Protocol):
    def record(self, event: UsageEvent) -> None:
        """See one usage event; must be cheap and thread-safe."""


@runtime_checkable
class BudgetMeter(CostMeter, Protocol):
    """A meter that also enforces budgets (optional methods of a meter).

    ``reserve`` runs before a call's first request. Budgets nest: for each of ``reservation.budgets``,
    spent is the cost recorded at or beneath ``budget.scope`` and held the estimates of calls in flight
    at or beneath it (each call once). Raise ``budget_exceeded(reservation, budget, spent, held)`` for
    the first budget that does not ``fits``, before holding anything; else hold ``estimate_usd`` once,
    at ``reservation.scope``. Checks and hold must be atomic for everything sharing the meter, or two
    calls under one parent budget can both take its last room. ``settle`` runs once when the call is
    over, after every attempt's event went to ``record``: drop the hold; the real cost is what
    ``record`` already counted (``cost_usd`` is its sum, for meters that do not keep events). Between
    ``record`` and ``settle`` both count, so the check errs on the safe side.
    """

    def reserve(self, reservation: Reservation) -> None: ...

    def settle(self, reservation: Reservation, cost_usd: float) -> None: ...


class Metering:
    """Fans events and reservations out to every meter; a meter that raises is logged and skipped,
    except for a budget veto, which stops the call."""

    def __init__(self, meters: Sequence[CostMeter]) -> None:
        self.meters = list(meters)
        self.budget_meters = [m for m in self.meters if isinstance(m, BudgetMeter)]

    def record(self, event: UsageEvent) -> None:
        for meter in self.meters:
            try:
                meter.record(event)
            except Exception:
                log.exception("cost meter %s failed to record an event", type(meter).__name__)

    def reserve(self, reservation: Reservation) -> list[BudgetMeter]:
        """Reserve with each budget meter in turn; returns those holding it. On a veto the holds taken
        so far are released and the veto is raised. A meter that fails otherwise does not hold (the
        call goes ahead: a broken meter must not stop the application)."""
        held: list[BudgetMeter] = []
        for meter in self.budget_meters:
            try:
                meter.reserve(reservation)
            except LLMBudgetExceededError:
                self.settle(held, reservation, 0.0)
                raise
            except Exception:
                log.exception(
                    "cost meter %s failed to reserve; its budget is not enforced for this call",
                    type(meter).__name__,
                )
                continue
            held.append(meter)
        return held

    def settle(self, held: Sequence[BudgetMeter], reservation: Reservation, cost_usd: float) -> None:
        for meter in held:
            try:
                meter.settle(reservation, cost_usd)
            except Exception:
                log.exception("cost meter %s failed to settle a reservation", type(meter).__name__)
