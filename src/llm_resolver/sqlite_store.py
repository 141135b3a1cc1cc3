"""A SQLite connection for state shared by threads and processes (the SQLite cache, the cost ledger)."""

from __future__ import annotations

import os
import sqlite3
import weakref
from pathlib import Path


class ProcessConnection:
    """One WAL-mode connection per process, closed with this object. After a fork the child opens its
    own and leaves the inherited one alone, as SQLite requires. Callers serialise use with their own lock.
    """

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._closer: weakref.finalize[[], ProcessConnection] | None = None

    def get(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            if self._closer is not None:
                self._closer.detach()
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._conn, self._pid = conn, os.getpid()
            self._closer = weakref.finalize(self, conn.close)
        return self._conn

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
        self._conn = self._closer = None
