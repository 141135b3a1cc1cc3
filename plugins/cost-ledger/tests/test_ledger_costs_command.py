"""``llm-resolver costs``: the table per day, scope and model, CSV, --since, --scope, and failures."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from llm_resolver_cost_ledger import Ledger
from llm_resolver_cost_ledger.command import parse_since

from llm_resolver import Scope
from llm_resolver.cli import main
from llm_resolver.metering import UsageEvent
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.types.responses import Usage

TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
OLD = TODAY - timedelta(days=10)


def add(
    ledger: Ledger, when: datetime, scope: Scope, model: str, cost: float | None, outcome: str = "ok"
) -> None:
    ledger.record(
        UsageEvent(
            scope=scope,
            model=model,
            operation="complete",
            request_id="r",
            usage=Usage(prompt_tokens=100, completion_tokens=10, total_tokens=110),
            cost_usd=cost,
            latency_s=0.2,
            outcome=outcome,  # type: ignore[arg-type]
            timestamp=when.timestamp(),
        )
    )


@pytest.fixture
def filled(ledger_path: Path) -> Path:
    ledger = Ledger(ledger_path)
    add(ledger, OLD, Scope(org="acme", guild="support"), "openai/gpt-4o-mini", 0.001)
    add(ledger, TODAY, Scope(org="acme", guild="support"), "openai/gpt-4o-mini", 0.002)
    add(ledger, TODAY, Scope(org="acme", guild="support"), "openai/gpt-4o-mini", 0.0, outcome="error")
    add(ledger, TODAY, Scope(org="acme", guild="sales"), "anthropic/claude-haiku-4-5", 0.004)
    add(ledger, TODAY, Scope(org="globex"), "openai/gpt-4o-mini", None)
    ledger.close()
    return ledger_path


def run(capsys: pytest.CaptureFixture[str], plugins: PluginManager, *args: str) -> tuple[int, str, str]:
    code = main(["costs", *args], plugins=plugins)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_table_has_a_row_per_day_scope_and_model_and_a_total(
    filled: Path, plugins: PluginManager, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, plugins, "--ledger", str(filled))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "day",
        "scope",
        "model",
        "calls",
        "errors",
        "cached",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
    ]
    today, old = TODAY.strftime("%Y-%m-%d"), OLD.strftime("%Y-%m-%d")
    rows = [line.split() for line in lines[2:-2]]
    assert rows == [
        [old, "acme/support/*", "openai/gpt-4o-mini", "1", "0", "0", "100", "10", "0.001000"],
        [today, "acme/sales/*", "anthropic/claude-haiku-4-5", "1", "0", "0", "100", "10", "0.004000"],
        [today, "acme/support/*", "openai/gpt-4o-mini", "2", "1", "0", "200", "20", "0.002000"],
        [today, "globex/*/*", "openai/gpt-4o-mini", "1", "0", "0", "100", "10", "0.000000"],
    ]
    assert lines[-1].split() == ["total", "5", "1", "0", "500", "50", "0.007000"]


def test_csv_since_and_scope_filters(
    filled: Path, plugins: PluginManager, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, plugins, "--ledger", str(filled), "--csv", "--since", "3d", "--scope", "acme")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["scope"], r["model"], float(r["cost_usd"])) for r in rows] == [
        ("acme/sales/*", "anthropic/claude-haiku-4-5", 0.004),
        ("acme/support/*", "openai/gpt-4o-mini", 0.002),
    ]
    code, out, _ = run(capsys, plugins, "--ledger", str(filled), "--csv", "--scope", "acme/support")
    assert [r["day"] for r in csv.DictReader(io.StringIO(out))] == [
        OLD.strftime("%Y-%m-%d"),
        TODAY.strftime("%Y-%m-%d"),
    ]
    code, out, _ = run(
        capsys,
        plugins,
        "--ledger",
        str(filled),
        "--csv",
        "--since",
        OLD.strftime("%Y-%m-%d"),
        "--scope",
        "nobody",
    )
    assert out.splitlines() == [
        "day,scope,model,calls,errors,cached,prompt_tokens,completion_tokens,cost_usd"
    ]


def test_since_forms() -> None:
    now = datetime(2025, 3, 10, tzinfo=UTC)
    assert parse_since("2025-01-31", now) == "2025-01-31"
    assert parse_since("7d", now) == "2025-03-03"
    assert parse_since(None, now) is None
    for bad in ("yesterday", "2025-13-01", "-3d"):
        with pytest.raises(ValueError, match="--since takes YYYY-MM-DD or Nd"):
            parse_since(bad, now)


def test_a_missing_ledger_or_a_bad_since_fail_with_a_message(
    tmp_path: Path, filled: Path, plugins: PluginManager, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, plugins, "--ledger", str(tmp_path / "none.sqlite3"))
    assert (code, out) == (1, "")
    assert "no ledger at" in err
    assert not (tmp_path / "none.sqlite3").exists()  # reading never creates one
    code, _, err = run(capsys, plugins, "--ledger", str(filled), "--since", "last week")
    assert code == 2
    assert "--since takes YYYY-MM-DD" in err
    not_a_ledger = tmp_path / "junk.sqlite3"
    not_a_ledger.write_bytes(b"this is not sqlite" * 100)
    code, _, err = run(capsys, plugins, "--ledger", str(not_a_ledger))
    assert code == 1
    assert "cannot read the ledger" in err


def test_the_installed_command_finds_the_ledger_from_the_environment(filled: Path) -> None:
    script = Path(sys.executable).with_name("llm-resolver")
    env = {**os.environ, "LLM_RESOLVER_LEDGER": str(filled), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("LLM_RESOLVER_PLUGINS", None)
    done = subprocess.run(
        [str(script), "costs", "--csv"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 5  # header and four rows
