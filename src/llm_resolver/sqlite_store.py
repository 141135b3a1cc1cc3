"""A SQLite connection for state shared by threads and processes (the SQLite cache, the cost ledger)."""

from __future__ import annotations

import os
import sqlite3
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


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
        self._inherited: list[sqlite3.Connection] = []

    def get(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            if self._closer is not None:
                self._closer.detach()
            if self._conn is not None:
                # Inherited from the parent: closing it here could checkpoint and remove the WAL file
                # under the parent's feet, so the child keeps it referenced and never touches it.
                self._inherited.append(self._conn)
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._when_unlocked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            except BaseException:
                conn.close()
                raise
            conn.execute("PRAGMA synchronous=NORMAL")
            self._conn, self._pid = conn, os.getpid()
            self._closer = weakref.finalize(self, conn.close)
        return self._conn

    def create(self, schema: str) -> None:
        """Run ``schema`` (``CREATE … IF NOT EXISTS``); processes may open a new file at the same time."""
        self.prepare(lambda conn: conn.executescript(schema))

    def prepare(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Set the file up with ``action`` (create or migrate tables) as ``create`` does, for setups that
        need more than a script. ``action`` runs again after "database is locked", so it must not leave
        a transaction open when it fails."""
        return self._when_unlocked(lambda: action(self.get()))

    def _when_unlocked(self, action: Callable[[], T]) -> T:
        """Run ``action``, retrying "database is locked" within the timeout. Switching to WAL and
        creating tables take locks for which SQLite returns busy at once rather than asking the busy
        handler (to avoid deadlock), so two processes starting together need this."""
        deadline = time.monotonic() + self.timeout
        pause = 0.005
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
        self._conn = self._closer = None
