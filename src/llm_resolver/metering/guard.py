"""What each call goes through around the provider: the response cache, then the budget hold.

Order: a cache hit is answered first (it is free, so it is served even over budget); otherwise the
call's worst-case cost is reserved with every budget meter before the first request and settled
once the call is over, after each attempt's real cost went to the meters. Retries and fallbacks
all run under the one reservation, priced for the dearest model the call may reach.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from llm_resolver.backend.calls import chat_kwargs
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target
from llm_resolver.cache.entry import CachedReply
from llm_resolver.config.metering import budget_parts
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.errors import LLMBadRequestError, LLMBudgetExceededError, LLMError
from llm_resolver.metering.estimate import estimate_usd
from llm_resolver.metering.events import UsageEvent
from llm_resolver.metering.meters import BudgetMeter, on_event_loop
from llm_resolver.metering.reservation import Budget, Reservation
from llm_resolver.metering.usage import counted_usage
from llm_resolver.services import CallServices
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.streaming.base import StreamBase
from llm_resolver.streaming.session import OpenStream
from llm_resolver.types.context import CallContext
from llm_resolver.types.request import ChatRequest
from llm_resolver.types.responses import ChatResponse, Usage

StreamT = TypeVar("StreamT", bound=StreamBase)
log = logging.getLogger("llm_resolver.metering")
Finish = Callable[[OpenStream], ChatResponse]
Broken = Callable[[OpenStream, BaseException], LLMError]


# Cache writes handed to worker threads from async code, kept referenced until done.
_WRITES: set[asyncio.Future[None]] = set()


class Accounting:
    """Per LLM: its scope's budget, the shared meters and cache, and the calls holding a reservation."""

    def __init__(
        self,
        config: LiteLLMConfig,
        targets: Sequence[Target],
        services: CallServices,
        notify: Callable[..., None],
    ) -> None:
        self.config = config
        self.targets = list(targets)
        self.metering = services.metering
        self.cache = services.cache
        _, self.completion_tokens, _ = budget_parts(config.budget_usd)
        self.notify = notify
        self._open: dict[str, CallGuard] = {}
        self._lock = threading.Lock()

    def begin(
        self, req: ChatRequest, ctx: CallContext, budgets: tuple[Budget, ...], use_cache: Any = True
    ) -> CallGuard:
        """``budgets``: every budget the call must fit (see ``Reservation``); empty when none is set."""
        if not isinstance(use_cache, bool):
            raise LLMBadRequestError(f"cache= takes True or False per call, got {use_cache!r}")
        key = None
        if use_cache and self.cache is not None:
            kwargs = chat_kwargs(self.targets[0], req, self.config, timeout=0.0, stream=False)
            key = self.cache.key(ctx.scope, kwargs)
        return CallGuard(self, req, ctx, key, budgets)

    def record(self, event: UsageEvent) -> None:
        """To every meter; also tallied for the call's settlement while it holds a reservation."""
        self.metering.record(event)
        if event.cost_usd:
            with self._lock:
                guard = self._open.get(event.request_id)
            if guard is not None:
                guard.spent_usd += event.cost_usd

    def record_hit(self, ctx: CallContext, response: ChatResponse) -> None:
        latency = response.attempts[-1].latency_s if response.attempts else 0.0
        self.record(
            UsageEvent(
                scope=ctx.scope,
                model=response.model,
                operation=ctx.operation,
                request_id=ctx.request_id,
                usage=Usage(),
                cost_usd=0.0,
                latency_s=latency,
                outcome="cached",
            )
        )
        self.notify("after_response", response=response, context=ctx)

    def opened(self, guard: CallGuard) -> None:
        with self._lock:
            self._open[guard.ctx.request_id] = guard

    def closed(self, guard: CallGuard) -> None:
        with self._lock:
            self._open.pop(guard.ctx.request_id, None)


class CallGuard:
    """One call: its cache key (None: not cached), its reservation, and for streams the open session.

    ``with guard:`` holds the reservation around a plain call; streams use ``wrap_stream`` /
    ``wrap_astream`` and ``watch`` so the hold is released however the stream ends.
    """

    def __init__(
        self,
        acct: Accounting,
        req: ChatRequest,
        ctx: CallContext,
        key: str | None,
        budgets: tuple[Budget, ...],
    ) -> None:
        self.acct = acct
        self.req = req
        self.ctx = ctx
        self.key = key
        self.budgets = budgets
        self.spent_usd = 0.0
        self._reservation: Reservation | None = None
        self._held: list[BudgetMeter] = []
        self._session: OpenStream | None = None
        self._reply: CachedReply | None = None
        self._replayed: ChatResponse | None = None
        self._lock = threading.Lock()

    # Cache ---------------------------------------------------------------------------------------

    def cached(self) -> ChatResponse | None:
        if self.key is None or self.acct.cache is None:
            return None
        started = time.monotonic()
        return self._hit(self.acct.cache.get(self.key), started)

    async def acached(self) -> ChatResponse | None:
        if self.key is None or self.acct.cache is None:
            return None
        started = time.monotonic()
        return self._hit(await self.acct.cache.aget(self.key), started)

    def _hit(self, reply: CachedReply | None, started: float) -> ChatResponse | None:
        if reply is None:
            return None
        response = reply.response(time.monotonic() - started)
        self.acct.record_hit(self.ctx, response)
        self._reply = reply
        return response

    def store(self, response: ChatResponse, pieces: list[str] | None = None) -> ChatResponse:
        """Cache a successful reply (errors never get here) and hand it back; from async code (an
        async stream's end) a blocking backend's write runs on a worker thread, not the loop."""
        cache = self.acct.cache
        if self.key is not None and cache is not None:
            reply = CachedReply.of(response, pieces)
            if cache.backend.blocking and on_event_loop():
                write = asyncio.get_running_loop().run_in_executor(None, cache.put, self.key, reply)
                _WRITES.add(write)
                write.add_done_callback(_WRITES.discard)
            else:
                cache.put(self.key, reply)
        return response

    async def astore(self, response: ChatResponse) -> ChatResponse:
        if self.key is not None and self.acct.cache is not None:
            await self.acct.cache.aput(self.key, CachedReply.of(response))
        return response

    # Budget --------------------------------------------------------------------------------------

    def reserve(self) -> None:
        """Hold the call's worst-case cost; raises ``LLMBudgetExceededError`` before any request."""
        reservation = self._pending()
        if reservation is None:
            return
        self.acct.opened(self)
        try:
            held = self.acct.metering.reserve(reservation)
        except BaseException as exc:
            self._refused(exc)
            raise
        self._hold(reservation, held)

    async def areserve(self) -> None:
        """``reserve`` for async calls: a meter that blocks (the SQLite ledger) runs off the loop."""
        reservation = self._pending()
        if reservation is None:
            return
        self.acct.opened(self)
        try:
            held = await self.acct.metering.areserve(reservation)
        except BaseException as exc:
            self._refused(exc)
            raise
        self._hold(reservation, held)

    def _pending(self) -> Reservation | None:
        if not self.budgets or self._reservation is not None:
            return None
        estimate = estimate_usd(self.acct.targets, self.req, self.acct.config, self.acct.completion_tokens)
        return Reservation(
            scope=self.ctx.scope,
            model=self.acct.config.model,
            request_id=self.ctx.request_id,
            estimate_usd=estimate,
            budgets=self.budgets,
        )

    def _refused(self, exc: BaseException) -> None:
        self.acct.closed(self)
        if isinstance(exc, LLMBudgetExceededError):
            log.info("budget refused a call at %s before any request: %s", self.ctx.scope, exc.message)

    def _hold(self, reservation: Reservation, held: list[BudgetMeter]) -> None:
        log.debug(
            "reserved %.6f USD at %s for %s", reservation.estimate_usd, self.ctx.scope, reservation.model
        )
        self._held, self._reservation = held, reservation

    def settle(self) -> None:
        """Release the hold (idempotent); the real cost is already with the meters."""
        with self._lock:
            reservation, self._reservation = self._reservation, None
            held, self._held = self._held, []
        if reservation is not None:
            self.acct.closed(self)
            self.acct.metering.settle(held, reservation, self.spent_usd)

    def __enter__(self) -> CallGuard:
        self.reserve()
        return self

    def __exit__(self, *exc: object) -> None:
        self.settle()

    async def __aenter__(self) -> CallGuard:
        await self.areserve()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.settle()  # a blocking meter's settlement is queued off the loop...
        if self.acct.metering.blocking:  # ...and written, with the call's records, before it returns
            await asyncio.to_thread(self.acct.metering.flush)

    # Streams -------------------------------------------------------------------------------------

    def wrap_stream(
        self, open_stream: Callable[[], OpenStream], finish: Finish, broken: Broken
    ) -> tuple[Callable[[], OpenStream], Finish, Broken]:
        def opened() -> OpenStream:
            replay = self._replay(self.cached())
            if replay is not None:
                return replay
            self.reserve()
            try:
                session = open_stream()
            except BaseException:
                self.settle()
                raise
            self._session = session
            return session

        return opened, self._finisher(finish), self._breaker(broken)

    def wrap_astream(
        self, open_stream: Callable[[], Awaitable[OpenStream]], finish: Finish, broken: Broken
    ) -> tuple[Callable[[], Awaitable[OpenStream]], Finish, Broken]:
        async def opened() -> OpenStream:
            replay = self._replay(await self.acached())
            if replay is not None:
                return replay
            await self.areserve()
            try:
                session = await open_stream()
            except BaseException:
                self.settle()
                raise
            self._session = session
            return session

        return opened, self._finisher(finish), self._breaker(broken)

    def watch(self, stream: StreamT) -> StreamT:
        """Release the hold of a stream closed or dropped before its end, and meter what it read."""
        stream.on_close(self._abandoned)
        return stream

    def _replay(self, hit: ChatResponse | None) -> OpenStream | None:
        if hit is None or self._reply is None:
            return None
        self._replayed = hit
        chunks = self._reply.chunks()
        assembler = StreamAssembler(parts=[c.text for c in chunks if c.text])
        return OpenStream(
            wrapper=None,
            iterator=iter(()),
            assembler=assembler,
            target=Target(model=hit.model),
            buffered=chunks,
            exhausted=True,
        )

    def _finisher(self, finish: Finish) -> Finish:
        def done(session: OpenStream) -> ChatResponse:
            if self._replayed is not None:
                return self._replayed
            self._session = None
            try:
                response = finish(session)
            finally:
                self.settle()
            return self.store(response, list(session.assembler.parts))

        return done

    def _breaker(self, broken: Broken) -> Broken:
        def failed(session: OpenStream, exc: BaseException) -> LLMError:
            self._session = None
            try:
                return broken(session, exc)
            finally:
                self.settle()

        return failed

    def _abandoned(self) -> None:
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            usage = session.assembler.usage or counted_usage(
                session.target.model, self.req, session.assembler.text
            )
            self.acct.record(
                UsageEvent(
                    scope=self.ctx.scope,
                    model=session.target.model,
                    operation=self.ctx.operation,
                    request_id=self.ctx.request_id,
                    usage=usage,
                    cost_usd=price(session.target, usage),
                    latency_s=0.0,
                    outcome="ok",
                )
            )
        self.settle()
