"""A stream through the same stages as a plain call. Nothing is sent until the first chunk is asked
for; the hold is released however the stream ends (exhausted, broken, closed, dropped), and what an
unfinished stream read is metered."""

from __future__ import annotations

import threading
import time
from typing import Any

from llm_resolver.cache.entry import CachedReply
from llm_resolver.errors import LLMError
from llm_resolver.pipeline import attempts
from llm_resolver.pipeline.cache import replay
from llm_resolver.pipeline.call import Call
from llm_resolver.pipeline.core import LLMCore
from llm_resolver.pipeline.prepare import prepare
from llm_resolver.resilience.plan import CallPlan
from llm_resolver.streaming.async_stream import AsyncChatStream
from llm_resolver.streaming.session import OpenStream
from llm_resolver.streaming.sync_stream import SyncChatStream
from llm_resolver.types.request import RequestLike
from llm_resolver.types.responses import ChatResponse
from llm_resolver.types.scope import Scope


def stream(
    core: LLMCore, scope: Scope, charged: tuple[Scope, ...], request: RequestLike, options: dict[str, Any]
) -> SyncChatStream:
    flow = _Flow(core, prepare(core, scope, charged, request, options, "stream"))
    opened = SyncChatStream(flow.open, flow.finish, flow.broken)
    opened.on_close(flow.abandoned)
    return opened


def astream(
    core: LLMCore, scope: Scope, charged: tuple[Scope, ...], request: RequestLike, options: dict[str, Any]
) -> AsyncChatStream:
    flow = _Flow(core, prepare(core, scope, charged, request, options, "astream"))
    opened = AsyncChatStream(flow.aopen, flow.afinish, flow.broken)
    opened.on_close(flow.abandoned)
    return opened


class _Flow:
    """One stream's state across its stages: its plan (the deadline runs from the call, not from the
    first read), its hold, and the session while it is open."""

    def __init__(self, core: LLMCore, call: Call) -> None:
        self.core = core
        self.call = call
        self.hold = core.budget.hold(call)
        self.plan: CallPlan = attempts.plan(core, call)
        self.replayed: ChatResponse | None = None
        self.session: OpenStream[Any] | None = None
        self._lock = threading.Lock()

    def open(self) -> OpenStream[Any]:
        core, call, started = self.core, self.call, time.monotonic()
        session = self._replay(core.cache.lookup(core, call), started)
        if session is not None:
            return session
        self.hold.reserve()
        try:
            self.session = attempts.open_stream(core, call, self.plan)
        except BaseException:
            self.hold.settle()
            raise
        return self.session

    async def aopen(self) -> OpenStream[Any]:
        core, call, started = self.core, self.call, time.monotonic()
        session = self._replay(await core.cache.alookup(core, call), started)
        if session is not None:
            return session
        await self.hold.areserve()
        try:
            self.session = await attempts.aopen_stream(core, call, self.plan)
        except BaseException:
            await self.hold.asettle()
            raise
        return self.session

    def _replay(self, reply: CachedReply | None, started: float) -> OpenStream[Any] | None:
        if reply is None:
            return None
        self.replayed = self.core.cache.hit(self.call, reply, started)
        return replay(reply, self.replayed)

    def finish(self, session: OpenStream[Any]) -> ChatResponse:
        if self.replayed is not None:
            return self.replayed
        response = self._finished(session)
        return self.core.cache.store(self.call, response, list(session.assembler.parts))

    async def afinish(self, session: OpenStream[Any]) -> ChatResponse:
        if self.replayed is not None:
            return self.replayed
        response = self._finished(session)
        await self.hold.asettle()
        return await self.core.cache.astore(self.call, response, list(session.assembler.parts))

    def _finished(self, session: OpenStream[Any]) -> ChatResponse:
        self.session = None
        try:
            return self.core.observe.streamed(session, self.call, self.plan)
        finally:
            self.hold.settle()

    def broken(self, session: OpenStream[Any], exc: BaseException) -> LLMError:
        self.session = None
        try:
            return self.core.observe.broken(session, exc, self.call, self.plan)
        finally:
            self.hold.settle()

    def abandoned(self) -> None:
        with self._lock:
            session, self.session = self.session, None
        if session is not None:
            self.core.observe.abandoned(session, self.call)
        self.hold.settle()
