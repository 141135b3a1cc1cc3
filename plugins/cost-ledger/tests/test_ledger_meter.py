"""The ledger as a meter: events and spend persist, holds are shared, stale holds go away, and the
file is found from options, the environment or the user's data directory."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from llm_resolver_cost_ledger import LEDGER_VAR, Ledger, default_ledger_path

from llm_resolver import LiteLLMResolver, LLMBudgetExceededError, Scope, SpecError
from llm_resolver.metering import Budget, Reservation, UsageEvent
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import Fault, ProviderEmulator, Reply
from llm_resolver.types.responses import Usage

ACME = Scope(org="acme")


def event(
    cost: float | None, scope: Scope = ACME, outcome: str = "ok", ts: float | None = None
) -> UsageEvent:
    return UsageEvent(
        scope=scope,
        model="openai/gpt-4o-mini",
        operation="complete",
        request_id="r1",
        usage=Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15),
        cost_usd=cost,
        latency_s=0.1,
        outcome=outcome,  # type: ignore[arg-type]
        **({} if ts is None else {"timestamp": ts}),
    )


def reservation(estimate: float, budget: float, scope: Scope = ACME) -> Reservation:
    return Reservation(
        scope=scope,
        model="openai/gpt-4o-mini",
        request_id="r",
        estimate_usd=estimate,
        budgets=(Budget(scope, budget),),
    )


def test_calls_are_recorded_and_survive_a_restart(
    provider_emulator: ProviderEmulator, make_resolver: Callable[..., LiteLLMResolver], ledger_path: Path
) -> None:
    provider_emulator.script(Fault.server_error(), Reply(usage=(100, 10)))
    response = make_resolver().get_or_resolve(ACME).complete("hello")
    assert response.cost_usd is not None
    reopened = Ledger(ledger_path)  # as a new process would
    assert reopened.spend(ACME) == pytest.approx(response.cost_usd)
    assert reopened.spend(Scope(org="globex")) == 0
    with closing(sqlite3.connect(ledger_path)) as conn:
        rows = conn.execute(
            "SELECT scope, outcome, prompt_tokens, cost_usd FROM events ORDER BY id"
        ).fetchall()
    assert rows == [("acme/*/*", "error", 0, 0.0), ("acme/*/*", "ok", 100, pytest.approx(response.cost_usd))]


def test_unpriced_events_are_kept_without_a_cost(ledger_path: Path) -> None:
    ledger = Ledger(ledger_path)
    ledger.record(event(None))
    ledger.record(event(0.25))
    assert ledger.spend(ACME) == 0.25


def test_holds_count_against_the_budget_until_settled(ledger_path: Path) -> None:
    ledger = Ledger(ledger_path)
    ledger.record(event(0.5))
    first = reservation(0.3, budget=1.0)
    ledger.reserve(first)
    assert ledger.reserved(ACME) == pytest.approx(0.3)
    with pytest.raises(LLMBudgetExceededError) as caught:
        ledger.reserve(reservation(0.3, budget=1.0))
    assert (caught.value.spent_usd, caught.value.budget_usd) == (0.5, 1.0)
    assert "$0.300000 held by calls in flight" in str(caught.value)
    ledger.reserve(reservation(0.3, budget=1.0, scope=Scope(org="globex")))  # other scopes are separate
    ledger.settle(first, 0.0)
    ledger.reserve(reservation(0.3, budget=1.0))


def test_holds_of_a_process_that_died_are_dropped_when_they_would_block(ledger_path: Path) -> None:
    script = (
        "import sys; from llm_resolver import Scope; from llm_resolver.metering import Budget, Reservation; "
        "from llm_resolver_cost_ledger import Ledger; "
        "Ledger(sys.argv[1]).reserve(Reservation(Scope(org='acme'), 'm', 'r', 0.9, (Budget(Scope(org='acme'), 1.0),)))"
    )
    subprocess.run([sys.executable, "-c", script, str(ledger_path)], check=True, timeout=60)
    ledger = Ledger(ledger_path)
    assert ledger.reserved(ACME) == pytest.approx(0.9)  # the child exited without settling
    ledger.reserve(reservation(0.5, budget=1.0))
    assert ledger.reserved(ACME) == pytest.approx(0.5)


def test_holds_expire_after_hold_ttl(ledger_path: Path) -> None:
    ledger = Ledger(ledger_path, hold_ttl=0.05)
    ledger.reserve(reservation(0.9, budget=1.0))
    with pytest.raises(LLMBudgetExceededError):
        ledger.reserve(reservation(0.5, budget=1.0))
    time.sleep(0.1)
    ledger.reserve(reservation(0.5, budget=1.0))


def test_threads_reserving_at_once_never_overbook(ledger_path: Path) -> None:
    ledger = Ledger(ledger_path)
    granted: list[bool] = []

    def work() -> None:
        try:
            ledger.reserve(reservation(0.1, budget=1.0))
            granted.append(True)
        except LLMBudgetExceededError:
            granted.append(False)

    threads = [threading.Thread(target=work) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 10
    assert ledger.reserved(ACME) == pytest.approx(1.0)


def test_the_ledger_file_comes_from_the_environment_or_the_data_directory(tmp_path: Path) -> None:
    assert default_ledger_path({LEDGER_VAR: str(tmp_path / "x.db")}) == tmp_path / "x.db"
    data = default_ledger_path({"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")})
    if sys.platform.startswith("linux"):
        assert data == tmp_path / "data" / "llm-resolver" / "ledger.sqlite3"
    assert data.name == "ledger.sqlite3"


def test_a_ledger_named_without_options_uses_the_environment_variable(
    provider_emulator: ProviderEmulator,
    plugins: PluginManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv(LEDGER_VAR, str(path))
    resolver = LiteLLMResolver(
        plugins=plugins,
        env={},
        model="openai/gpt-4o-mini",
        api_base=provider_emulator.openai_base,
        api_key="k",
        cost_meters=["ledger"],
    )
    response = resolver.get_or_resolve().complete("hello")
    assert Ledger(path).spend(Scope()) == pytest.approx(response.cost_usd)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout and hold_ttl must be positive"),
        ({"path": "x.db", "colour": "red"}, "does not accept these options"),
    ],
)
def test_bad_ledger_options_fail_when_the_spec_loads(
    make_resolver: Callable[..., LiteLLMResolver], options: dict[str, object], message: str
) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        make_resolver(cost_meters=[{"name": "ledger", **options}])
    assert caught.value.field == "cost_meters"
