"""The HTTP server: reads requests, records them, and answers with scripted replies or faults."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .answers import Call, render
from .openai_format import openai_error
from .recording import RecordedRequest
from .routing import ERRORS, route_for
from .script import Fault, Reply
from .state import EmulatorState
from .wire import JSONObject, str_or_none

_IDLE_TIMEOUT = 60.0
_MALFORMED_JSON = b'{"id": "emu", "object": "chat.completion", "choices": [{"index": 0, "message": '


class _Server(ThreadingHTTPServer):
    """Threaded server that remembers its open connections so stopping can cut keep-alive clients off."""

    daemon_threads = True
    request_queue_size = 512

    def __init__(self, state: EmulatorState, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.state = state
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()

    def track(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)
            if self.stopping.is_set():
                _hang_up(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def hang_up_all(self) -> None:
        with self._lock:
            for connection in self._connections:
                _hang_up(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients vanishing mid-answer is routine here (and often scripted); only report real bugs."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = _IDLE_TIMEOUT  # socket timeout: an idle keep-alive connection frees its thread eventually
    server: _Server
    _started = False  # whether this request's status line went out

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        self.server.untrack(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; the request log is the record."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        self._started = False
        try:
            self._dispatch()
        except OSError:
            self.close_connection = True
        except Exception as exc:  # answer rather than leave the client waiting on a bug
            if self._started:
                self._hang_up()
            else:
                self._send_json(500, openai_error(500, None, f"emulator error: {exc!r}", None).body, {})

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        headers = {key.lower(): value for key, value in self.headers.items()}
        raw = self._read_body()
        route = route_for(self.command, url.path, headers)
        if route is None:
            error = openai_error(404, None, f"No emulated endpoint for {self.command} {url.path}", None)
            self._send_json(404, error.body, {})
            return
        parsed = _parse_json(raw)
        body = parsed or {}
        chat = route.chat.parse(body, route.path_model, route.stream_path) if route.kind == "chat" else None
        model = chat.model if chat else str_or_none(body.get("model"))
        state = self.server.state
        seq = state.log.append(
            RecordedRequest(
                provider=route.provider,
                method=self.command,
                path=url.path,
                headers=headers,
                body=parsed,
                model=model,
                stream=chat.stream if chat else False,
                kind=route.kind,
                received_at=time.monotonic(),
                query=url.query,
            )
        )
        call = Call(route, body, chat, model, seq)
        item = state.script.pop_global_fault() if route.kind == "models" else state.script.pop(model)
        if isinstance(item, Fault):
            self._fault(item, call)
        else:
            self._reply(item or state.default_reply, call, {})

    def _reply(self, reply: Reply, call: Call, headers: dict[str, str]) -> None:
        if not self._pause(reply.delay):
            return
        answer = render(reply, call, self.server.state)
        if answer.stream is not None:
            self._send_stream(answer.stream.events, answer.chunk_delay, headers, complete=True)
        elif answer.body is not None:
            self._send_json(200, answer.body, headers)

    def _fault(self, fault: Fault, call: Call) -> None:
        if not self._pause(fault.delay):
            return
        match fault.kind:
            case "status":
                render_error = ERRORS[call.route.provider]
                error = render_error(fault.error_status, fault.code, fault.message, fault.retry_after)
                self._send_json(fault.error_status, error.body, error.headers | fault.headers)
            case "slow":
                self._reply(self.server.state.default_reply, call, fault.headers)
            case "drop":
                self._hang_up()
            case "drop_mid_stream":
                self._part_of_answer(fault, call, cleanly=False)
            case "end_mid_stream":
                self._part_of_answer(fault, call, cleanly=True)
            case "malformed" if call.chat is not None and call.chat.stream:
                self._send_stream(
                    call.route.chat.malformed_stream().events, 0.0, fault.headers, complete=True
                )
            case "malformed":
                self._send_bytes(200, "application/json", _MALFORMED_JSON, fault.headers)

    def _part_of_answer(self, fault: Fault, call: Call, *, cleanly: bool) -> None:
        """Send part of a normal answer; then end the body as if it were whole (``cleanly``), or cut the
        connection so the client sees a broken body."""
        answer = render(self.server.state.default_reply, call, self.server.state, fault.after_chunks + 1)
        if answer.stream is not None:
            events = answer.stream.events[: answer.stream.prefix + fault.after_chunks]
            self._send_stream(events, answer.chunk_delay, fault.headers, complete=cleanly)
        else:
            payload = json.dumps(answer.body).encode()
            half = payload[: len(payload) // 2]
            if cleanly:
                self._send_bytes(200, "application/json", half, fault.headers)
            else:
                self._send_bytes(200, "application/json", payload, fault.headers, cut_at=len(half))
        if not cleanly:
            self._hang_up()

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the server stops first (then hang up and return False)."""
        if seconds > 0 and self.server.stopping.wait(seconds):
            self._hang_up()
            return False
        return True

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts = []
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            parts.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline().strip():  # trailers, up to the blank line
            pass
        return b"".join(parts)

    def _start(self, status: int, content_type: str, headers: dict[str, str], length: int | None) -> None:
        """Send the status line and headers; ``length=None`` means a chunked body follows."""
        self._started = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_json(self, status: int, body: JSONObject, headers: dict[str, str]) -> None:
        self._send_bytes(status, "application/json", json.dumps(body).encode(), headers)

    def _send_bytes(
        self,
        status: int,
        content_type: str,
        payload: bytes,
        headers: dict[str, str],
        cut_at: int | None = None,
    ) -> None:
        """Send a complete body, or only its first ``cut_at`` bytes while promising all of them."""
        self._start(status, content_type, headers, len(payload))
        self.wfile.write(payload if cut_at is None else payload[:cut_at])

    def _send_stream(
        self, events: list[bytes], delay: float, headers: dict[str, str], complete: bool
    ) -> None:
        """Send SSE events as HTTP chunks; without the final empty chunk the client sees a truncated body."""
        self._start(200, "text/event-stream; charset=utf-8", headers, None)
        state = self.server.state
        state.stream_started()
        abandoned = False
        try:
            for index, event in enumerate(events):
                if index and not self._pause(delay):
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
            if complete:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            abandoned = True
            raise
        finally:
            state.stream_ended(abandoned)

    def _hang_up(self) -> None:
        self.close_connection = True
        _hang_up(self.connection)


class EmulatorServer:
    """Runs :class:`_Server` on a background thread bound to ``host`` and ``port`` (0: a free one)."""

    def __init__(self, state: EmulatorState, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server(state, host, port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="provider-emulator",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        """Stop promptly: wake sleeping handlers, stop accepting, and cut every open connection."""
        self._server.stopping.set()
        self._server.shutdown()
        self._server.hang_up_all()
        self._server.server_close()
        self._thread.join(timeout=5)


def _hang_up(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


def _parse_json(raw: bytes) -> JSONObject | None:
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
