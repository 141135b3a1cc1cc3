"""One call's state on its way through the stages: built by ``prepare``, read by the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from llm_resolver.backend.port import Wire
from llm_resolver.backend.targets import Target
from llm_resolver.metering.reservation import Budget
from llm_resolver.types.context import CallContext
from llm_resolver.types.request import ChatRequest
from llm_resolver.types.responses import Attempt


@dataclass
class Call:
    """``targets``: the chain from the first model the request fits; ``skipped`` the ones before it.
    ``wires`` holds each target's wire form once built (the first one also keys the cache)."""

    request: ChatRequest
    ctx: CallContext
    deadline: float | None
    use_cache: bool
    budgets: tuple[Budget, ...]
    targets: list[Target]
    skipped: list[Attempt]
    key: str | None = None
    wires: dict[int, Wire] = field(default_factory=dict)
