"""What a hostile-input test needs: a listener standing in for the attacker's host."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class Listener:
    """A TCP socket on 127.0.0.1 that keeps whatever reaches it; nothing should."""

    url: str
    received: list[bytes] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"{self.url}/v1"


@pytest.fixture
def attacker() -> Iterator[Listener]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    listener = Listener(f"http://127.0.0.1:{server.getsockname()[1]}")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    listener.received.append(conn.recv(65536))
                except OSError:
                    listener.received.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener
    stop.set()
    thread.join(5)
    server.close()
