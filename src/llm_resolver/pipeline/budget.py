"""The budget stage: a call's worst-case cost is held with every budget meter before its first
request, and the hold released once the call is over, after each attempt's real cost went to the
meters. Retries and fallbacks all run under the one hold, priced for the dearest model the call may
reach. A cache hit never gets here: it is free, so it is served even over budget.

Embedding calls take the same hold (``Budgets.hold_estimate``), with their own estimate: the texts'
tokens at the input price of the dearest embedding model they may reach.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence

from llm_resolver.backend.targets import Target
from llm_resolver.config.metering import budget_parts
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.errors import LLMBudgetExceededError
from llm_resolver.metering.estimate import estimate_usd
from llm_resolver.metering.events import UsageEvent
from llm_resolver.metering.meters import BudgetMeter, Metering
from llm_resolver.metering.reservation import Budget, Reservation
from llm_resolver.pipeline.call import Call
from llm_resolver.types.context import CallContext
from llm_resolver.types.scope import Scope

log = logging.getLogger("llm_resolver.metering")


class Budgets:
    """Per LLM: the calls holding a reservation, so each one's real spend can be settled."""

    def __init__(self, config: LiteLLMConfig, targets: Sequence[Target], metering: Metering) -> None:
        self.config = config
        self.targets = list(targets)
        self.metering = metering
        self._usd, self.completion_tokens, self._scoped = budget_parts(config.budget_usd)
        self._open: dict[str, Hold] = {}
        self._lock = threading.Lock()

    def hold(self, call: Call) -> Hold:
        """A chat call's hold: its prompt and every completion token it may write, on the dearest
        model it may reach."""

        def estimate() -> float:
            return estimate_usd(self.targets, call.request, self.config, self.completion_tokens)

        return Hold(self, call.ctx, call.budgets, self.config.model, estimate)

    def hold_estimate(
        self, ctx: CallContext, budgets: tuple[Budget, ...], model: str, estimate: Callable[[], float]
    ) -> Hold:
        """A hold for a call that is not a chat request (an embedding call): ``estimate`` is its
        worst-case cost, computed only when ``budgets`` is not empty."""
        return Hold(self, ctx, budgets, model, estimate)

    def covering(self, scope: Scope, charged: Sequence[Scope]) -> tuple[Budget, ...]:
        """Every budget a call at ``scope`` must fit: ``budget_usd`` at the scope itself and at each
        scope it is charged to, and each of ``budget_usd.scopes`` that covers it."""
        found: list[Budget] = []
        if self._usd is not None:
            found += [Budget(s, self._usd) for s in (scope, *charged)]
        found += [Budget(s, usd) for s, usd in self._scoped if s.covers(scope)]
        return tuple(dict.fromkeys(found))

    def tally(self, event: UsageEvent) -> None:
        """Count an event's cost toward its call's settlement while the call holds a reservation."""
        if event.cost_usd:
            with self._lock:
                hold = self._open.get(event.request_id)
            if hold is not None:
                hold.spent_usd += event.cost_usd

    def opened(self, hold: Hold) -> None:
        with self._lock:
            self._open[hold.ctx.request_id] = hold

    def closed(self, hold: Hold) -> None:
        with self._lock:
            self._open.pop(hold.ctx.request_id, None)


class Hold:
    """One call's reservation: ``with hold:`` (or ``async with``) around a plain call; a stream
    reserves when it opens and settles however it ends."""

    def __init__(
        self,
        budgets: Budgets,
        ctx: CallContext,
        covering: tuple[Budget, ...],
        model: str,
        estimate: Callable[[], float],
    ) -> None:
        self.budgets = budgets
        self.ctx = ctx
        self.covering = covering
        self.model = model
        self._estimate = estimate
        self.spent_usd = 0.0
        self._reservation: Reservation | None = None
        self._held: list[BudgetMeter] = []
        self._lock = threading.Lock()

    def reserve(self) -> None:
        """Raises ``LLMBudgetExceededError`` before any request when a budget cannot hold the call."""
        reservation = self._pending()
        if reservation is None:
            return
        self.budgets.opened(self)
        try:
            held = self.budgets.metering.reserve(reservation)
        except BaseException as exc:
            self._refused(exc)
            raise
        self._hold(reservation, held)

    async def areserve(self) -> None:
        """``reserve`` for async calls: a meter that blocks (the SQLite ledger) runs off the loop."""
        reservation = self._pending()
        if reservation is None:
            return
        self.budgets.opened(self)
        try:
            held = await self.budgets.metering.areserve(reservation)
        except BaseException as exc:
            self._refused(exc)
            raise
        self._hold(reservation, held)

    def settle(self) -> None:
        """Release the hold (idempotent); the real cost is already with the meters."""
        with self._lock:
            reservation, self._reservation = self._reservation, None
            held, self._held = self._held, []
        if reservation is not None:
            self.budgets.closed(self)
            self.budgets.metering.settle(held, reservation, self.spent_usd)

    async def asettle(self) -> None:
        """A blocking meter's settlement is queued off the loop, and written, with the call's
        records, before the call returns, so the ledger is current when the caller reads it."""
        self.settle()
        if self.budgets.metering.blocking:
            await asyncio.to_thread(self.budgets.metering.flush)

    def __enter__(self) -> Hold:
        self.reserve()
        return self

    def __exit__(self, *exc: object) -> None:
        self.settle()

    async def __aenter__(self) -> Hold:
        await self.areserve()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.asettle()

    def _pending(self) -> Reservation | None:
        if not self.covering or self._reservation is not None:
            return None
        return Reservation(
            scope=self.ctx.scope,
            model=self.model,
            request_id=self.ctx.request_id,
            estimate_usd=self._estimate(),
            budgets=self.covering,
        )

    def _refused(self, exc: BaseException) -> None:
        self.budgets.closed(self)
        if isinstance(exc, LLMBudgetExceededError):
            log.info("budget refused a call at %s before any request: %s", self.ctx.scope, exc.message)

    def _hold(self, reservation: Reservation, held: list[BudgetMeter]) -> None:
        log.debug(
            "reserved %.6f USD at %s for %s", reservation.estimate_usd, self.ctx.scope, reservation.model
        )
        self._held, self._reservation = held, reservation
