"""The SQLite cache backend: one file shared by the processes of a machine, LRU-pruned, with expiry.

WAL mode and a busy timeout let readers and a writer proceed together; every statement is its own
short transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from llm_resolver.sqlite_store import ProcessConnection

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    expires_at REAL,
    used_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_used_at ON responses(used_at);
"""


class SQLiteCache:
    blocking = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        max_entries: int = 10_000,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError("max_entries must be a whole number of at least 1")
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_entries = max_entries
        self._clock = clock
        # Pruning counts rows, so it runs every few writes rather than on each one.
        self._prune_every = max(1, min(100, max_entries // 10))
        self._writes = 0
        self._lock = threading.Lock()
        self._db = ProcessConnection(self.path, timeout)
        with self._lock:
            self._db.create(_SCHEMA)

    def get(self, key: str) -> bytes | None:
        now = self._clock()
        with self._lock:
            conn = self._db.get()
            row = conn.execute("SELECT value, expires_at FROM responses WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            if row[1] is not None and now >= row[1]:
                conn.execute("DELETE FROM responses WHERE key = ? AND expires_at <= ?", (key, now))
                return None
            conn.execute("UPDATE responses SET used_at = ? WHERE key = ?", (now, key))
            return bytes(row[0])

    def set(self, key: str, value: bytes, ttl: float | None) -> None:
        now = self._clock()
        with self._lock:
            conn = self._db.get()
            conn.execute(
                "INSERT OR REPLACE INTO responses (key, value, expires_at, used_at) VALUES (?, ?, ?, ?)",
                (key, value, None if ttl is None else now + ttl, now),
            )
            self._writes += 1
            if self._writes % self._prune_every == 0:
                self._prune(conn, now)

    def _prune(self, conn: sqlite3.Connection, now: float) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM responses WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,))
            conn.execute(
                "DELETE FROM responses WHERE key IN "
                "(SELECT key FROM responses ORDER BY used_at DESC LIMIT -1 OFFSET ?)",
                (self.max_entries,),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.get().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
