"""``RunningServer``: the application on a background thread with its own event loop, for tests and
for hosts that embed the server in a process that does other work; and ``serve``, the uvicorn loop
``llm-resolver serve`` runs too."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from llm_resolver import SpecError
from llm_resolver_openai_server.access import check_bind
from llm_resolver_openai_server.app import api_keys, server_deps
from llm_resolver_openai_server.settings import ServerSettings

# How long a request still running at shutdown may take after its stream was told to end.
GRACE_SECONDS = 1
# How long an idle connection stays open between requests.
KEEP_ALIVE_SECONDS = 5


class RunningServer:
    """``with RunningServer(app) as server:`` serves on ``server.base_url`` (port 0: a free one). An app
    without keys is refused any address but loopback, as ``llm-resolver serve`` refuses it."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
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
    app: ASGIApp, host: str, port: int, stop: asyncio.Event, listening: Callable[[int], None]
) -> None:
    """Serve ``app`` with uvicorn until ``stop`` is set (or the task is cancelled, as Ctrl-C does under
    ``asyncio.run``); ``listening`` gets the bound port. Stopping tells open streams to end (each sends
    its closing event), so shutdown takes about a second at most, not as long as the longest answer.
    A port or host that cannot be bound raises a ``SpecError`` saying what to change.

    uvicorn serves at most the settings' ``max_connections`` at once (503 past them) and closes idle
    connections after ``KEEP_ALIVE_SECONDS``; it has no deadline for reading a request's headers, so
    a public server belongs behind a reverse proxy that has one."""
    if not 0 <= port <= 65535:
        raise SpecError(f"port {port} is out of range; give one from 0 to 65535 (0 picks a free port)")
    sock = _bind(host, port)
    deps = server_deps(app)
    if deps is not None:
        deps.drain.reset()
    settings = deps.settings if deps is not None else ServerSettings()
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        ws="none",
        timeout_graceful_shutdown=GRACE_SECONDS,
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = _Uvicorn(config, lambda: listening(int(sock.getsockname()[1])))
    running = asyncio.ensure_future(server.serve(sockets=[sock]))
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if deps is not None:
            deps.drain.start()
        server.should_exit = True
        await running  # uvicorn's own shutdown: no new connections, open requests finish or are cut
        sock.close()


class _Uvicorn(uvicorn.Server):
    """uvicorn that leaves signals to its caller (SIGTERM stops ``serve`` cleanly; Ctrl-C is
    ``asyncio.run``'s, hence "interrupted") and reports once it listens."""

    def __init__(self, config: uvicorn.Config, listening: Callable[[], None]) -> None:
        super().__init__(config)
        self._listening = listening

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._listening()


def _bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (uvicorn listens on it): bound here, so a failure is ours to
    word, not a log line and ``sys.exit`` inside uvicorn."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
        except BaseException:
            sock.close()
            raise
    except OSError as exc:
        raise SpecError(_bind_problem(host, port, exc)) from None
    return sock


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host {host!r}; give an IP address or a name this machine resolves"
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use; choose another port, or stop the process holding it"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; bind one of its addresses, or 127.0.0.1"
    reason = (exc.strerror or str(exc)).lower()
    return f"cannot listen on {host}:{port} ({reason}); choose another host or port"
