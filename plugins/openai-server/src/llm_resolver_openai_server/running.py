"""``RunningServer``: the application on a background thread with its own event loop, for tests and
for hosts that embed the server in a process that does other work."""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from llm_resolver import SpecError
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
        await serve(self._app, self._host, self._port, self._stop, self._listening)

    def _listening(self, port: int) -> None:
        self._port = port
        self._ready.set()


async def serve(
    app: web.Application, host: str, port: int, stop: asyncio.Event, listening: Callable[[int], None]
) -> None:
    """Serve ``app`` until ``stop`` is set (or the task is cancelled, as Ctrl-C does under
    ``asyncio.run``); ``listening`` gets the bound port. A port or host that cannot be bound raises a
    ``SpecError`` saying what to change, not the socket's OSError."""
    if not 0 <= port <= 65535:
        raise SpecError(f"port {port} is out of range; give one from 0 to 65535 (0 picks a free port)")
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            raise SpecError(_bind_problem(host, port, exc)) from None
        listening(int(runner.addresses[0][1]))
        await stop.wait()
    finally:
        await runner.cleanup()


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host {host!r}; give an IP address or a name this machine resolves"
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use; choose another port, or stop the process holding it"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; bind one of its addresses, or 127.0.0.1"
    reason = (exc.strerror or str(exc)).lower()
    return f"cannot listen on {host}:{port} ({reason}); choose another host or port"
