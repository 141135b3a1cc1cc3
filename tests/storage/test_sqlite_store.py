"""The shared SQLite connection under the race every deployment meets: workers opening a new file at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from llm_resolver.sqlite_store import ProcessConnection

# Forking is the point here (workers of a pre-fork server); Python 3.12+ warns when other threads
# (LiteLLM's, from earlier tests) exist. These children touch no thread-held state.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")

SCHEMA = "CREATE TABLE IF NOT EXISTS hits (pid INTEGER NOT NULL);"
WORKERS = 16


def _open_and_write(
    path: str, barrier: multiprocessing.synchronize.Barrier, errors: multiprocessing.Queue
) -> None:
    db = ProcessConnection(Path(path), timeout=10.0)
    barrier.wait()
    try:
        db.create(SCHEMA)
        db.get().execute("INSERT INTO hits VALUES (?)", (multiprocessing.current_process().pid,))
    except sqlite3.Error as exc:
        errors.put(f"{type(exc).__name__}: {exc}")
    finally:
        db.close()


@pytest.mark.parametrize("round_", range(5))
def test_workers_opening_a_new_file_together_all_get_in(tmp_path: Path, round_: int) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    errors: multiprocessing.Queue = ctx.Queue()
    path = tmp_path / "shared.sqlite3"
    workers = [ctx.Process(target=_open_and_write, args=(str(path), barrier, errors)) for _ in range(WORKERS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    failures = [errors.get() for _ in range(errors.qsize())]

    assert failures == []
    assert [w.exitcode for w in workers] == [0] * WORKERS
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM hits").fetchone()[0] == WORKERS
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_fork_gets_its_own_connection(tmp_path: Path) -> None:
    db = ProcessConnection(tmp_path / "f.sqlite3", timeout=5.0)
    db.create(SCHEMA)
    parent = db.get()
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=lambda: db.get().execute("INSERT INTO hits VALUES (1)"))
    child.start()
    child.join(timeout=30)

    assert child.exitcode == 0
    assert db.get() is parent  # the parent's connection was left alone
    assert parent.execute("SELECT COUNT(*) FROM hits").fetchone()[0] == 1
    db.close()
