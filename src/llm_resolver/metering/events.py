"""The usage event: one per attempt that reached a provider, and one per cache hit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from llm_resolver.types.scope import Scope

if TYPE_CHECKING:
    from llm_resolver.types.responses import Usage

EventOutcome = Literal["ok", "error", "cached"]


@dataclass(frozen=True)
class UsageEvent:
    scope: Scope
    model: str
    operation: str
    request_id: str
    usage: Usage
    cost_usd: float | None
    latency_s: float
    outcome: EventOutcome
    timestamp: float = field(default_factory=time.time)
    error_type: str | None = None  # the LLMError class of a failed attempt
