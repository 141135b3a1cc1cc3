"""The meter protocols and the fan-out that keeps one failing meter from breaking a call."""

from __future__ import annotations

import functools
import logging
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from llm_resolver.errors import LLMBudgetExceededError
from llm_resolver.metering.reservation import Reservation

if TYPE_CHECKING:
    from llm_resolver.metering.events import UsageEvent  # annotations only: resolving skips it

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


def on_event_loop() -> bool:
    """Whether this thread is running an event loop (so blocking I/O here would stall it)."""
    asyncio = sys.modules.get("asyncio")  # never imported: no loop runs (and resolving skips it)
    if asyncio is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _Writer:
    """One daemon thread running deferred meter work in order (a settle after the records it follows)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], None]) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():  # also after a fork
                self._thread = threading.Thread(target=self._run, name="llm-resolver-meters", daemon=True)
                self._thread.start()
        self._queue.put(work)

    def flush(self) -> None:
        """Wait until everything submitted so far has run."""
        if (
            self._thread is not None
            and self._thread.is_alive()
            and self._thread is not threading.current_thread()
        ):
            self._queue.join()

    def _run(self) -> None:
        while True:
            work = self._queue.get()
            try:
                work()
            finally:
                self._queue.task_done()


class Metering:
    """Fans events and reservations out to every meter; a meter that raises is logged and skipped,
    except for a budget veto, which stops the call.

    Meters that set ``blocking = True`` (disk, network: the SQLite ledger) never run on an event
    loop: from async code their records and settlements go to a writer thread, in order, and a
    reservation (which needs their answer) runs in a worker thread after what is queued.
    ``on_error``: what a budget meter that fails (rather than vetoes) means for the call —
    ``"refuse"`` (the default: a budget that cannot be checked does not let calls through) or
    ``"allow"``."""

    def __init__(self, meters: Sequence[CostMeter], on_error: Literal["refuse", "allow"] = "refuse") -> None:
        self.meters = list(meters)
        self.budget_meters = [m for m in self.meters if isinstance(m, BudgetMeter)]
        self.blocking = any(getattr(m, "blocking", False) for m in self.meters)
        self.on_error = on_error
        self._writer = _Writer()

    def _run(self, meter: CostMeter, work: Callable[[], None]) -> None:
        if getattr(meter, "blocking", False) and on_event_loop():
            self._writer.submit(work)
        else:
            work()

    def record(self, event: UsageEvent) -> None:
        for meter in self.meters:
            self._run(meter, functools.partial(self._record_one, meter, event))

    @staticmethod
    def _record_one(meter: CostMeter, event: UsageEvent) -> None:
        try:
            meter.record(event)
        except Exception:
            log.exception("cost meter %s failed to record an event", type(meter).__name__)

    def reserve(self, reservation: Reservation) -> list[BudgetMeter]:
        """Reserve with each budget meter in turn; returns those holding it. On a veto the holds taken
        so far are released and the veto is raised. A meter that fails otherwise refuses the call
        too (``on_error="refuse"``), or does not hold and lets it go ahead (``"allow"``)."""
        self._writer.flush()  # records still queued count against the budget
        held: list[BudgetMeter] = []
        for meter in self.budget_meters:
            try:
                meter.reserve(reservation)
            except LLMBudgetExceededError:
                self.settle(held, reservation, 0.0)
                raise
            except Exception as exc:
                name = type(meter).__name__
                if self.on_error == "refuse":
                    self.settle(held, reservation, 0.0)
                    log.warning("cost meter %s failed to reserve; the call is refused", name)
                    raise LLMBudgetExceededError(
                        f"the budget could not be checked: cost meter {name} failed "
                        f"({type(exc).__name__}); no request was sent. Fix the meter (e.g. a ledger "
                        "file another process holds locked), or set budget_usd.on_meter_error: allow "
                        "to let calls through unchecked while a meter fails",
                        scope=reservation.scope,
                        budget_usd=reservation.budget_usd,
                        model=reservation.model,
                    ) from None
                log.exception(
                    "cost meter %s failed to reserve; its budget is not enforced for this call", name
                )
                continue
            held.append(meter)
        return held

    async def areserve(self, reservation: Reservation) -> list[BudgetMeter]:
        if not self.blocking:
            return self.reserve(reservation)
        import asyncio

        return await asyncio.to_thread(self.reserve, reservation)

    def settle(self, held: Sequence[BudgetMeter], reservation: Reservation, cost_usd: float) -> None:
        for meter in held:
            self._run(meter, functools.partial(self._settle_one, meter, reservation, cost_usd))

    @staticmethod
    def _settle_one(meter: BudgetMeter, reservation: Reservation, cost_usd: float) -> None:
        try:
            meter.settle(reservation, cost_usd)
        except Exception:
            log.exception("cost meter %s failed to settle a reservation", type(meter).__name__)

    def flush(self) -> None:
        """Wait for records and settlements queued from async code (e.g. before reading a ledger)."""
        self._writer.flush()
