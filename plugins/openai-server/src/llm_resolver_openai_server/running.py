"""``RunningServer``: the application on a background thread with its own event loop, for tests and
for hosts that embed the server in a process that does other work."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

from aiohttp import web

from llm_resolver_openai_server.access import check_bind
from llm_resolver_openai_server.app import api_keys


class RunningServer:
    """``with RunningServer(app) as server:`` serves on ``server.base_url`` (port 0: a free one). An app
    without keys is refused any address but loopback, as ``llm-resolver serve`` refuses it."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1", port: int = 0) -> None:
        check_bind(host, api_keys(app))
        self._app = app
        self._host = host
        self._port = port
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="llm-resolver-openai-server", daemon=True)

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url``."""
        return f"http://{self._host}:{self._port}/v1"

    def __enter__(self) -> RunningServer:
        self._thread.start()
        self._ready.wait(30)
        if self._failure is not None:
            raise self._failure
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to __enter__, which re-raises it in the caller's thread
            self._failure = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        runner = web.AppRunner(self._app)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
            self._port = int(runner.addresses[0][1])
            self._ready.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()
