"""A budget reservation: the most a call may cost, held from before its first request until it ends.

Budgets nest. A call runs at one scope (``scope``, where its usage events land) and must fit every
budget that covers that scope (``budgets``): its own scope's, and any set for a scope above it, such
as the org a server key is held to. A budget's spend is everything recorded at or beneath its scope,
and its holds are those of calls in flight at or beneath it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from llm_resolver.errors import LLMBudgetExceededError
from llm_resolver.types.scope import Scope


@dataclass(frozen=True, slots=True)
class Budget:
    """``usd`` may be spent at ``scope`` and everything beneath it."""

    scope: Scope
    usd: float


@dataclass(frozen=True)
class Reservation:
    scope: Scope
    model: str
    request_id: str
    estimate_usd: float
    budgets: tuple[Budget, ...]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: float = field(default_factory=time.time)

    @property
    def budget_usd(self) -> float:
        """The tightest limit, for messages and meters that show one number."""
        return min(b.usd for b in self.budgets)


def fits(reservation: Reservation, budget: Budget, spent_usd: float, held_usd: float) -> bool:
    """Whether ``budget``'s spend, the holds of calls in flight beneath it and this estimate stay within it."""
    return spent_usd + held_usd + reservation.estimate_usd <= budget.usd * (1 + 1e-9)


def budget_exceeded(
    reservation: Reservation, budget: Budget, spent_usd: float, held_usd: float
) -> LLMBudgetExceededError:
    """The error a meter raises to veto a call: whose budget, the spend, and what to do."""
    held = f", {usd(held_usd)} held by calls in flight" if held_usd > 0 else ""
    where = (
        f"scope {budget.scope}"
        if budget.scope == reservation.scope
        else f"scope {budget.scope} (which covers {reservation.scope})"
    )
    return LLMBudgetExceededError(
        f"{where} is over its budget: {usd(spent_usd)} spent of {usd(budget.usd)}{held}, and this call "
        f"may cost up to {usd(reservation.estimate_usd)} on {reservation.model}; no request was sent. "
        "Raise budget_usd, lower max_tokens (the reservation assumes every allowed completion token), "
        "or wait for calls in flight to finish",
        scope=budget.scope,
        budget_usd=budget.usd,
        spent_usd=spent_usd,
        model=reservation.model,
    )


def usd(amount: float) -> str:
    return f"${amount:.6f}" if amount == 0 or abs(amount) >= 1e-4 else f"${amount:.3g}"
