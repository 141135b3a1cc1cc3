"""A budget reservation: the most a call may cost, held from before its first request until it ends."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from llm_resolver.errors import LLMBudgetExceededError
from llm_resolver.resolution.scope import Scope


@dataclass(frozen=True)
class Reservation:
    scope: Scope
    model: str
    request_id: str
    estimate_usd: float
    budget_usd: float
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: float = field(default_factory=time.time)


def fits(reservation: Reservation, spent_usd: float, held_usd: float) -> bool:
    """Whether spend, the holds of calls in flight and this estimate stay within the budget."""
    return spent_usd + held_usd + reservation.estimate_usd <= reservation.budget_usd * (1 + 1e-9)


def budget_exceeded(reservation: Reservation, spent_usd: float, held_usd: float) -> LLMBudgetExceededError:
    """The error a meter raises to veto a call: who, the budget, the spend, and what to do."""
    held = f", {usd(held_usd)} held by calls in flight" if held_usd > 0 else ""
    return LLMBudgetExceededError(
        f"scope {reservation.scope} is over its budget: {usd(spent_usd)} spent of "
        f"{usd(reservation.budget_usd)}{held}, and this call may cost up to {usd(reservation.estimate_usd)} "
        f"on {reservation.model}; no request was sent. Raise budget_usd, lower max_tokens (the "
        "reservation assumes every allowed completion token), or wait for calls in flight to finish",
        scope=reservation.scope,
        budget_usd=reservation.budget_usd,
        spent_usd=spent_usd,
        model=reservation.model,
    )


def usd(amount: float) -> str:
    return f"${amount:.6f}" if amount == 0 or abs(amount) >= 1e-4 else f"${amount:.3g}"
