"""Server-sent events: the response that sends them, and the drain that ends them at shutdown.

A stream reads a provider's stream, so whatever ends it — the last event, the client leaving, the
server stopping — must close that upstream stream at once, not when the garbage collector gets to it.
``EventStream`` watches for the client's disconnect itself (uvicorn does not raise on a send to a
client that left) and closes its events in plain asyncio, outside any cancelled scope, so the close
really runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


def event(payload: Mapping[str, Any], name: str | None = None) -> bytes:
    """One SSE event; ``name`` adds the ``event:`` line the Responses API sends."""
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {json.dumps(payload, separators=(',', ':'))}\n\n".encode()


DONE = b"data: [DONE]\n\n"


class Drain:
    """Set when the server begins to stop: each open stream then ends with its closing event instead
    of holding the shutdown until its provider finishes."""

    def __init__(self) -> None:
        self._waiting: set[asyncio.Event] = set()
        self.stopping = False

    def start(self) -> None:
        self.stopping = True
        for waiting in list(self._waiting):
            waiting.set()

    def reset(self) -> None:
        self.stopping = False

    @contextlib.contextmanager
    def watch(self) -> Iterator[asyncio.Event]:
        """An event set when the drain starts (already set if it has), for the running loop."""
        stopping = asyncio.Event()
        if self.stopping:
            stopping.set()
        self._waiting.add(stopping)
        try:
            yield stopping
        finally:
            self._waiting.discard(stopping)


class EventStream(StreamingResponse):
    """``events`` as ``text/event-stream``. If the drain starts first, what ``on_drain`` gives is sent as
    the last event; in every case ``events`` is closed before the response returns."""

    def __init__(
        self,
        events: AsyncGenerator[bytes, None],
        drain: Drain,
        on_drain: Callable[[], bytes],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            events, headers={"Cache-Control": "no-cache", **(headers or {})}, media_type="text/event-stream"
        )
        self._events, self._drain, self._on_drain = events, drain, on_drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        with self._drain.watch() as stopping:
            pump = asyncio.ensure_future(self._pump(send))
            left = asyncio.ensure_future(_disconnect(receive))
            stopped = asyncio.ensure_future(stopping.wait())
            done: set[asyncio.Future[Any]] = set()
            try:
                done, _ = await asyncio.wait({pump, left, stopped}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (pump, left, stopped):
                    task.cancel()
                await asyncio.gather(pump, left, stopped, return_exceptions=True)
                await self._events.aclose()
        if pump in done:
            failure = pump.exception()
            if failure is not None:
                raise failure
        elif stopped in done and left not in done:
            await send({"type": "http.response.body", "body": self._on_drain(), "more_body": False})

    async def _pump(self, send: Send) -> None:
        async for data in self._events:
            await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
