"""Nested budgets in the ledger: spend and holds beneath a budget's scope count against it, across
threads and processes; files written before budgets nested are migrated once; dead processes'
holds beneath a budget still go away."""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from llm_resolver_cost_ledger import Ledger

from llm_resolver import LiteLLMResolver, LLMBudgetExceededError, Scope
from llm_resolver.metering import Budget, Reservation, UsageEvent
from llm_resolver.testing import ProviderEmulator, Reply
from llm_resolver.types.responses import Usage

ACME = Scope(org="acme")


def event(scope: Scope, cost: float | None) -> UsageEvent:
    return UsageEvent(
        scope=scope,
        model="openai/gpt-4o-mini",
        operation="complete",
        request_id="r",
        usage=Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15),
        cost_usd=cost,
        latency_s=0.1,
        outcome="ok",
    )


def reservation(scope: Scope, estimate: float, *budgets: tuple[Scope, float]) -> Reservation:
    return Reservation(
        scope=scope,
        model="openai/gpt-4o-mini",
        request_id="r",
        estimate_usd=estimate,
        budgets=tuple(Budget(s, usd) for s, usd in budgets),
    )


def test_spend_and_holds_beneath_a_budgets_scope_count_against_it(ledger_path: Path) -> None:
    ledger = Ledger(ledger_path)
    g1a, g2b = Scope("acme", "g1", "a"), Scope("acme", "g2", "b")
    ledger.record(event(g1a, 0.4))
    ledger.record(event(Scope("globex"), 5.0))
    ledger.record(event(g1a, None))
    held = reservation(g1a, 0.3, (g1a, 1.0), (Scope("acme", "g1"), 1.0), (ACME, 1.0))
    ledger.reserve(held)

    assert (ledger.spend(ACME), ledger.spend(Scope("acme", "g1")), ledger.spend()) == (
        pytest.approx(0.4),
        pytest.approx(0.4),
        pytest.approx(5.4),
    )
    assert ledger.reserved(ACME) == ledger.reserved() == pytest.approx(0.3)  # once, under three budgets
    with pytest.raises(LLMBudgetExceededError) as caught:
        ledger.reserve(reservation(g2b, 0.4, (g2b, 1.0), (ACME, 1.0)))
    assert (caught.value.scope, caught.value.spent_usd) == (ACME, pytest.approx(0.4))
    assert "$0.300000 held by calls in flight" in str(caught.value)
    assert ledger.reserved(g2b) == 0  # refused before anything was held
    ledger.settle(held, 0.0)
    ledger.reserve(reservation(g2b, 0.4, (g2b, 1.0), (ACME, 1.0)))
    assert ledger.reserved(ACME) == pytest.approx(0.4)


PARTS = ("a", "b", "*")
SCOPES = [Scope(o, g, a) for o in PARTS for g in PARTS for a in PARTS]


def test_a_budget_at_any_shape_of_scope_holds_exactly_what_it_covers(ledger_path: Path) -> None:
    """``acme/*/*`` reads one row of spend; ``*/support/*`` or ``*/*/bot`` add several up."""
    rng = random.Random(11)
    ledger = Ledger(ledger_path)
    events = [(rng.choice(SCOPES), rng.choice((0.01, 0.02, 0.05))) for _ in range(150)]
    for scope, cost in events:
        ledger.record(event(scope, cost))
    flights = [reservation(s, rng.choice((0.001, 0.003)), (Scope(), 1e9)) for s in rng.choices(SCOPES, k=30)]
    for flight in flights:
        ledger.reserve(flight)

    for budget in SCOPES:
        spent = sum(cost for scope, cost in events if budget.covers(scope))
        held = sum(f.estimate_usd for f in flights if budget.covers(f.scope))
        assert (ledger.spend(budget), ledger.reserved(budget)) == (pytest.approx(spent), pytest.approx(held))
        call = Scope(*("a" if part == "*" else part for part in (budget.org, budget.guild, budget.agent)))
        with pytest.raises(LLMBudgetExceededError) as caught:
            ledger.reserve(reservation(call, 0.01, (call, 1e9), (budget, spent + held + 0.009)))
        assert (caught.value.scope, caught.value.spent_usd) == (budget, pytest.approx(spent))


def test_a_hundred_threads_never_over_admit_against_a_parent_budget(ledger_path: Path) -> None:
    ledger = Ledger(ledger_path)
    start = threading.Barrier(100)
    granted: list[bool] = []

    def work(n: int) -> None:
        call = Scope("acme", f"guild-{n % 7}", f"agent-{n}")
        wanted = reservation(call, 0.01, (call, 1.0), (ACME, 0.1))
        start.wait()
        try:
            ledger.reserve(wanted)
            granted.append(True)
        except LLMBudgetExceededError:
            granted.append(False)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 10
    assert ledger.reserved(ACME) == pytest.approx(0.1)


CHILD = """
import json, sys, time
from pathlib import Path
from llm_resolver import LLMBudgetExceededError, Scope
from llm_resolver.metering import Budget, Reservation, UsageEvent
from llm_resolver.types.responses import Usage
from llm_resolver_cost_ledger import Ledger

ledger, guild, ready, go = Ledger(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
ready.touch()
while not go.exists():
    time.sleep(0.005)
ok = refused = 0
for n in range(40):
    call = Scope("acme", guild, f"agent-{n}")
    wanted = Reservation(call, "m", "r", 0.01, (Budget(call, 1.0), Budget(Scope("acme"), 0.5)))
    try:
        ledger.reserve(wanted)
    except LLMBudgetExceededError:
        refused += 1
        continue
    ledger.record(UsageEvent(call, "m", "complete", "r", Usage(), 0.01, 0.0, "ok"))
    ledger.settle(wanted, 0.01)
    ok += 1
print(json.dumps({"ok": ok, "refused": refused}))
"""


def test_two_processes_spending_in_two_guilds_stay_within_their_orgs_budget(
    ledger_path: Path, tmp_path: Path
) -> None:
    Ledger(ledger_path).close()  # created before the children race to open it
    go = tmp_path / "go"
    children = []
    for guild in ("g1", "g2"):
        ready = tmp_path / f"ready-{guild}"
        args = [str(ledger_path), guild, str(ready), str(go)]
        children.append(
            (ready, subprocess.Popen([sys.executable, "-c", CHILD, *args], stdout=subprocess.PIPE, text=True))
        )
    try:
        deadline = time.monotonic() + 120
        while not all(ready.exists() for ready, _ in children):
            assert time.monotonic() < deadline, "the child processes did not start"
            assert all(proc.poll() is None for _, proc in children), "a child process died while starting"
            time.sleep(0.01)
        go.touch()
        reports = []
        for _, proc in children:
            out, _ = proc.communicate(timeout=120)
            assert proc.returncode == 0
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for _, proc in children:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

    ledger = Ledger(ledger_path)
    assert sum(r["ok"] for r in reports) == 50  # each alone would have run all 40 of its calls
    assert all(r["ok"] > 0 for r in reports)
    assert ledger.spend(ACME) == pytest.approx(0.5)
    assert ledger.spend(Scope("acme", "g1")) + ledger.spend(Scope("acme", "g2")) == pytest.approx(0.5)
    assert ledger.reserved() == 0


def test_holds_of_a_dead_process_beneath_a_budget_are_dropped_when_they_would_block(
    ledger_path: Path,
) -> None:
    script = (
        "import sys; from llm_resolver import Scope; from llm_resolver.metering import Budget, Reservation; "
        "from llm_resolver_cost_ledger import Ledger; call = Scope('acme', 'g1', 'a'); "
        "Ledger(sys.argv[1]).reserve(Reservation(call, 'm', 'r', 0.9, (Budget(call, 1.0), Budget(Scope('acme'), 1.0))))"
    )
    subprocess.run([sys.executable, "-c", script, str(ledger_path)], check=True, timeout=60)
    ledger = Ledger(ledger_path)
    assert ledger.reserved(ACME) == pytest.approx(0.9)  # the child exited without settling
    call = Scope("acme", "g2", "b")
    ledger.reserve(reservation(call, 0.5, (call, 1.0), (ACME, 1.0)))
    assert ledger.reserved(ACME) == pytest.approx(0.5)


FIRST_LAYOUT = """
CREATE TABLE events (id INTEGER PRIMARY KEY, ts REAL NOT NULL, day TEXT NOT NULL, scope TEXT NOT NULL,
    model TEXT NOT NULL, operation TEXT NOT NULL, request_id TEXT NOT NULL, outcome TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
    cost_usd REAL, latency_s REAL NOT NULL);
CREATE INDEX events_day ON events(day);
CREATE TABLE spend (scope TEXT PRIMARY KEY, usd REAL NOT NULL);
CREATE TABLE holds (id TEXT PRIMARY KEY, scope TEXT NOT NULL, usd REAL NOT NULL, host TEXT NOT NULL,
    pid INTEGER NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX holds_scope ON holds(scope);
"""


def write_first_layout(path: Path) -> None:
    """A ledger as the release before nested budgets left it: spend per exact scope, a call in flight."""
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(FIRST_LAYOUT)
        spend = {"acme/g1/a": 0.2, "acme/g1/*": 0.1, "acme/g2/b": 0.05, "globex/*/*": 1.0}
        for scope, usd in spend.items():
            conn.execute(
                "INSERT INTO events (ts, day, scope, model, operation, request_id, outcome, prompt_tokens, "
                "completion_tokens, cached_tokens, cost_usd, latency_s) "
                "VALUES (1.7e9, '2025-06-01', ?, 'm', 'complete', 'r', 'ok', 10, 5, 0, ?, 0.1)",
                (scope, usd),
            )
        conn.executemany("INSERT INTO spend VALUES (?, ?)", spend.items())
        conn.execute(
            "INSERT INTO holds VALUES ('h1', 'acme/g2/b', 0.3, ?, ?, ?)",
            (socket.gethostname(), os.getpid(), time.time() + 3600),
        )
        conn.commit()


def test_a_ledger_written_before_budgets_nested_is_migrated_once(ledger_path: Path) -> None:
    write_first_layout(ledger_path)
    opened: list[Ledger] = []
    threads = [threading.Thread(target=lambda: opened.append(Ledger(ledger_path))) for _ in range(4)]
    for t in threads:  # several openers at once: one migrates, the others find it done
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 4

    for ledger in (opened[0], Ledger(ledger_path)):
        assert ledger.spend(ACME) == pytest.approx(0.35)
        assert ledger.spend(Scope("acme", "g1")) == pytest.approx(0.3)
        assert ledger.spend(Scope("acme", "g1", "a")) == pytest.approx(0.2)
        assert ledger.spend() == pytest.approx(1.35)
        assert ledger.reserved(ACME) == pytest.approx(0.3)  # the call in flight is still held
    with closing(sqlite3.connect(ledger_path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (2,)
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (4,)
    call = Scope("acme", "g3", "c")
    with pytest.raises(LLMBudgetExceededError) as caught:
        opened[0].reserve(reservation(call, 0.2, (call, 1.0), (ACME, 0.8)))
    assert caught.value.spent_usd == pytest.approx(0.35)


def test_a_ledger_from_a_newer_release_is_refused(ledger_path: Path) -> None:
    Ledger(ledger_path).close()
    with closing(sqlite3.connect(ledger_path)) as conn:
        conn.execute("PRAGMA user_version = 3")
    with pytest.raises(ValueError, match="newer than this llm-resolver-cost-ledger knows"):
        Ledger(ledger_path)


def test_through_calls_the_ledger_holds_an_org_to_what_its_agents_spent(
    provider_emulator: ProviderEmulator, make_resolver: Callable[..., LiteLLMResolver], ledger_path: Path
) -> None:
    provider_emulator.default_reply = Reply(usage=(5, 20))
    agents = make_resolver(max_tokens=20)
    costs = [
        agents.get_or_resolve(Scope("acme", guild, "bot")).complete("hello").cost_usd for guild in ("a", "b")
    ]
    assert None not in costs
    ledger = Ledger(ledger_path)
    assert ledger.spend(ACME) == pytest.approx(sum(c or 0 for c in costs))
    assert ledger.spend(Scope("acme", "a")) == pytest.approx(costs[0])

    # Another resolver (its own in-memory meter saw nothing) calls at the org: the ledger refuses.
    org = make_resolver(max_tokens=20, budget_usd=sum(c or 0 for c in costs) * 1.25).get_or_resolve(ACME)
    with pytest.raises(LLMBudgetExceededError) as caught:
        org.complete("hello")
    assert (caught.value.scope, caught.value.spent_usd) == (ACME, pytest.approx(sum(c or 0 for c in costs)))
    assert provider_emulator.request_count() == 2
