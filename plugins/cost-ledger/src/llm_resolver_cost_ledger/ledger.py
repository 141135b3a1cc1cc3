"""The SQLite ledger: every usage event, spend per scope, and budget holds shared by the processes
of one machine.

Concurrency: WAL mode (readers never block the writer), a busy timeout, and short transactions.
``reserve`` runs under ``BEGIN IMMEDIATE``, so checking the spend and taking the hold is atomic
across processes; ``record`` adds an event and its cost to the scope's spend in one transaction.
A hold is released by ``settle``; the holds of a process that died are dropped when they would
block a call (same machine), and every hold expires after ``hold_ttl`` seconds at the latest.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from llm_resolver.metering import Reservation, UsageEvent, budget_exceeded
from llm_resolver.metering.reservation import fits
from llm_resolver.resolution.scope import Scope
from llm_resolver.sqlite_store import ProcessConnection
from llm_resolver_cost_ledger.paths import default_ledger_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    day TEXT NOT NULL,
    scope TEXT NOT NULL,
    model TEXT NOT NULL,
    operation TEXT NOT NULL,
    request_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cost_usd REAL,
    latency_s REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_day ON events(day);
CREATE TABLE IF NOT EXISTS spend (scope TEXT PRIMARY KEY, usd REAL NOT NULL);
CREATE TABLE IF NOT EXISTS holds (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    usd REAL NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS holds_scope ON holds(scope);
"""


class Ledger:
    """A cost meter and budget meter backed by one SQLite file; thread- and process-safe."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, timeout: float = 10.0, hold_ttl: float = 3600.0
    ) -> None:
        if timeout <= 0 or hold_ttl <= 0:
            raise ValueError("timeout and hold_ttl must be positive numbers of seconds")
        self.path = Path(path).expanduser() if path is not None else default_ledger_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.timeout = timeout
        self.hold_ttl = hold_ttl
        self._host = socket.gethostname()
        self._lock = threading.Lock()
        self._db = ProcessConnection(self.path, timeout)
        with self._lock:
            self._db.create(SCHEMA)

    def __repr__(self) -> str:
        return f"Ledger(path={str(self.path)!r})"

    # Meter ---------------------------------------------------------------------------------------

    def record(self, event: UsageEvent) -> None:
        scope = str(event.scope)
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO events (ts, day, scope, model, operation, request_id, outcome, prompt_tokens, "
                "completion_tokens, cached_tokens, cost_usd, latency_s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    event.timestamp,
                    day_of(event.timestamp),
                    scope,
                    event.model,
                    event.operation,
                    event.request_id,
                    event.outcome,
                    event.usage.prompt_tokens,
                    event.usage.completion_tokens,
                    event.usage.cached_tokens,
                    event.cost_usd,
                    event.latency_s,
                ),
            )
            if event.cost_usd:
                conn.execute(
                    "INSERT INTO spend (scope, usd) VALUES (?, ?) "
                    "ON CONFLICT(scope) DO UPDATE SET usd = usd + excluded.usd",
                    (scope, event.cost_usd),
                )

    def reserve(self, reservation: Reservation) -> None:
        scope = str(reservation.scope)
        now = time.time()
        with self._transaction() as conn:
            conn.execute("DELETE FROM holds WHERE expires_at <= ?", (now,))
            spent, held = self._standing(conn, scope)
            budget = reservation.budgets[0]
            if not fits(reservation, budget, spent, held) and self._drop_dead_holds(conn, scope):
                spent, held = self._standing(conn, scope)
            if not fits(reservation, budget, spent, held):
                raise budget_exceeded(reservation, budget, spent, held)
            conn.execute(
                "INSERT INTO holds (id, scope, usd, host, pid, expires_at) VALUES (?,?,?,?,?,?)",
                (
                    reservation.id,
                    scope,
                    reservation.estimate_usd,
                    self._host,
                    os.getpid(),
                    now + self.hold_ttl,
                ),
            )

    def settle(self, reservation: Reservation, cost_usd: float) -> None:
        with self._lock:
            self._db.get().execute("DELETE FROM holds WHERE id = ?", (reservation.id,))

    # Read-outs -----------------------------------------------------------------------------------

    def spend(self, scope: Scope | None = None) -> float:
        with self._lock:
            conn = self._db.get()
            if scope is None:
                row = conn.execute("SELECT COALESCE(SUM(usd), 0) FROM spend").fetchone()
            else:
                row = conn.execute(
                    "SELECT COALESCE(SUM(usd), 0) FROM spend WHERE scope = ?", (str(scope),)
                ).fetchone()
        return float(row[0])

    def reserved(self, scope: Scope | None = None) -> float:
        with self._lock:
            conn = self._db.get()
            if scope is None:
                row = conn.execute("SELECT COALESCE(SUM(usd), 0) FROM holds").fetchone()
            else:
                row = conn.execute(
                    "SELECT COALESCE(SUM(usd), 0) FROM holds WHERE scope = ?", (str(scope),)
                ).fetchone()
        return float(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Internals -----------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE``: take the write lock up front, so a read-then-write cannot interleave."""
        with self._lock:
            conn = self._db.get()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @staticmethod
    def _standing(conn: sqlite3.Connection, scope: str) -> tuple[float, float]:
        spent = conn.execute("SELECT COALESCE(SUM(usd), 0) FROM spend WHERE scope = ?", (scope,)).fetchone()
        held = conn.execute("SELECT COALESCE(SUM(usd), 0) FROM holds WHERE scope = ?", (scope,)).fetchone()
        return float(spent[0]), float(held[0])

    def _drop_dead_holds(self, conn: sqlite3.Connection, scope: str) -> bool:
        """Drop holds left by processes of this machine that no longer run; whether any went."""
        rows = conn.execute(
            "SELECT DISTINCT pid FROM holds WHERE scope = ? AND host = ? AND pid != ?",
            (scope, self._host, os.getpid()),
        ).fetchall()
        dead = [pid for (pid,) in rows if not _alive(pid)]
        for pid in dead:
            conn.execute("DELETE FROM holds WHERE host = ? AND pid = ?", (self._host, pid))
        return bool(dead)


def day_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # no cheap check there; such holds expire after hold_ttl
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
