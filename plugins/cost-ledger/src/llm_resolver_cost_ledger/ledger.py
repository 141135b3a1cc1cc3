"""The SQLite ledger: every usage event, spend per scope, and budget holds shared by the processes
of one machine.

Budgets nest: ``spend`` keeps, per ancestor scope, the cost of everything recorded at or beneath it
(see ``llm_resolver.metering.rollup``), so a budget widened from the right reads its spend with one
primary-key look-up; ``holds`` keeps one row per call in flight, at the call's scope, and a budget
sums those its scope covers.

Concurrency: WAL mode (readers never block the writer), a busy timeout, and short transactions.
``reserve`` runs under ``BEGIN IMMEDIATE``, so checking every budget and taking the hold is atomic
across processes; ``record`` adds an event and its cost to its scope's ancestors in one transaction.
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
from typing import Literal

from llm_resolver.metering import Budget, Reservation, UsageEvent, budget_exceeded
from llm_resolver.metering.reservation import fits
from llm_resolver.metering.rollup import Keys, rollup_keys
from llm_resolver.sqlite_store import ProcessConnection
from llm_resolver.types.scope import ANY, Scope
from llm_resolver_cost_ledger.paths import default_ledger_path

# The layout ``PRAGMA user_version`` records. 0 is the first one, kept by files written before budgets
# nested: spend per exact scope, and holds keyed by their scope's text.
SCHEMA_VERSION = 2

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS events (
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
    )""",
    "CREATE INDEX IF NOT EXISTS events_day ON events(day)",
    """CREATE TABLE IF NOT EXISTS spend (
        org TEXT NOT NULL,
        guild TEXT NOT NULL,
        agent TEXT NOT NULL,
        usd REAL NOT NULL,
        PRIMARY KEY (org, guild, agent)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS holds (
        id TEXT PRIMARY KEY,
        org TEXT NOT NULL,
        guild TEXT NOT NULL,
        agent TEXT NOT NULL,
        usd REAL NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS holds_within ON holds(org, guild, agent)",
)


class Ledger:
    """A cost meter and budget meter backed by one SQLite file; thread- and process-safe."""

    blocking = True  # SQLite waits for other processes' locks: never called on an event loop

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
            self._db.prepare(lambda conn: _set_up(conn, self.path))

    def __repr__(self) -> str:
        return f"Ledger(path={str(self.path)!r})"

    # Meter ---------------------------------------------------------------------------------------

    def record(self, event: UsageEvent) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO events (ts, day, scope, model, operation, request_id, outcome, prompt_tokens, "
                "completion_tokens, cached_tokens, cost_usd, latency_s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    event.timestamp,
                    day_of(event.timestamp),
                    str(event.scope),
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
                _add_spend(conn, event.scope, event.cost_usd)

    def reserve(self, reservation: Reservation) -> None:
        now = time.time()
        with self._transaction() as conn:
            conn.execute("DELETE FROM holds WHERE expires_at <= ?", (now,))
            over = _first_over(conn, reservation)
            if over is not None and self._drop_dead_holds(conn):
                over = _first_over(conn, reservation)
            if over is not None:
                raise budget_exceeded(reservation, *over)
            conn.execute(
                "INSERT INTO holds (id, org, guild, agent, usd, host, pid, expires_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    reservation.id,
                    *_parts(reservation.scope),
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
        """The cost of everything recorded at or beneath ``scope`` (everything, without one)."""
        with self._lock:
            return _spent(self._db.get(), scope or Scope())

    def reserved(self, scope: Scope | None = None) -> float:
        """What calls in flight at or beneath ``scope`` hold (all of them, without one)."""
        with self._lock:
            return _held(self._db.get(), scope or Scope())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Internals -----------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _immediate(self._db.get()) as conn:
            yield conn

    def _drop_dead_holds(self, conn: sqlite3.Connection) -> bool:
        """Drop holds left by processes of this machine that no longer run; whether any went."""
        rows = conn.execute(
            "SELECT DISTINCT pid FROM holds WHERE host = ? AND pid != ?", (self._host, os.getpid())
        ).fetchall()
        dead = [pid for (pid,) in rows if not _alive(pid)]
        for pid in dead:
            conn.execute("DELETE FROM holds WHERE host = ? AND pid = ?", (self._host, pid))
        return bool(dead)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE``: take the write lock up front, so a read-then-write cannot interleave."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _set_up(conn: sqlite3.Connection, path: Path) -> None:
    """Create the tables, or bring a file an older version wrote up to date: once, by whichever
    process opens it first (the others wait for the write lock, then find it done)."""
    with _immediate(conn):
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"the ledger at {path} has layout {version}, newer than this llm-resolver-cost-ledger "
                f"knows ({SCHEMA_VERSION}); upgrade llm-resolver-cost-ledger or use another ledger file"
            )
        if version == SCHEMA_VERSION:
            return
        first = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'holds'").fetchone() is not None
        if first:
            conn.execute("ALTER TABLE spend RENAME TO spend_0")
            conn.execute("ALTER TABLE holds RENAME TO holds_0")
        for statement in SCHEMA:
            conn.execute(statement)
        if first:
            _migrate_from_first_layout(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _migrate_from_first_layout(conn: sqlite3.Connection) -> None:
    """Spend per exact scope becomes spend per ancestor; holds of calls still in flight move over. The
    old spend rows, not the events, are the source: they are what budgets were held to, also if events
    were pruned since, and there is one per scope rather than one per call."""
    for text, usd in conn.execute("SELECT scope, usd FROM spend_0").fetchall():
        _add_spend(conn, _scope_of(text), usd)
    conn.executemany(
        "INSERT INTO holds (id, org, guild, agent, usd, host, pid, expires_at) VALUES (?,?,?,?,?,?,?,?)",
        [
            (hold, *_parts(_scope_of(text)), usd, host, pid, expires_at)
            for hold, text, usd, host, pid, expires_at in conn.execute(
                "SELECT id, scope, usd, host, pid, expires_at FROM holds_0"
            ).fetchall()
        ],
    )
    conn.execute("DROP TABLE spend_0")
    conn.execute("DROP TABLE holds_0")


def _add_spend(conn: sqlite3.Connection, scope: Scope, usd: float) -> None:
    conn.executemany(
        "INSERT INTO spend (org, guild, agent, usd) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(org, guild, agent) DO UPDATE SET usd = usd + excluded.usd",
        [(*_parts(ancestor), usd) for ancestor in scope.ancestors()],
    )


def _first_over(conn: sqlite3.Connection, reservation: Reservation) -> tuple[Budget, float, float] | None:
    """The first budget ``reservation`` does not fit, with its spend and holds; None when all fit."""
    for budget in reservation.budgets:
        spent, held = _spent(conn, budget.scope), _held(conn, budget.scope)
        if not fits(reservation, budget, spent, held):
            return budget, spent, held
    return None


def _spent(conn: sqlite3.Connection, scope: Scope) -> float:
    """Sums the per-ancestor rows that add up to ``scope``: one, unless a part is named after a ``*``."""
    return _sum(conn, "spend", rollup_keys(scope))


def _held(conn: sqlite3.Connection, scope: Scope) -> float:
    """Sums the holds of calls whose scope ``scope`` covers."""
    org, guild, agent = (None if part == ANY else part for part in _parts(scope))
    return _sum(conn, "holds", (org, guild, agent))


def _sum(conn: sqlite3.Connection, table: Literal["spend", "holds"], keys: Keys) -> float:
    named = [
        (column, want)
        for column, want in zip(("org", "guild", "agent"), keys, strict=True)
        if want is not None
    ]
    where = " AND ".join(f"{column} = ?" for column, _ in named) or "1"
    sql = f"SELECT COALESCE(SUM(usd), 0) FROM {table} WHERE {where}"  # noqa: S608 (names are literals, values bound)
    row = conn.execute(sql, [want for _, want in named]).fetchone()
    return float(row[0])


def _parts(scope: Scope) -> tuple[str, str, str]:
    return scope.org, scope.guild, scope.agent


def _scope_of(text: str) -> Scope:
    """The scope ``str(scope)`` wrote (a ``/`` inside a part, which ``Scope.parse`` refuses, stays in the agent)."""
    return Scope(*text.split("/", 2))


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
