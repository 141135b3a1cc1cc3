"""Every script in ``benchmarks/`` still runs and prints its table, at the smallest size it takes.

The numbers are not looked at (timing belongs to the scripts, run on demand); a benchmark that no
longer starts, or prints no rows, would otherwise be found broken only by the next person to measure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# script, its smallest arguments, a row label its table must print
RUNS = [
    ("pipeline.py", ["--repeats", "1", "--block", "20", "--rounds", "1"], "async call, deadline=30"),
    (
        "overhead.py",
        ["--skip-fresh", "--repeats", "1", "--block", "2", "--rounds", "1", "--concurrent-calls", "10"],
        "calls/s at concurrency 50",
    ),
    ("meter_memory.py", ["--scopes", "100"], "reserve + settle"),
    ("scopes.py", ["--scopes", "100", "--called", "10", "--repeats", "1"], "scopes resolved"),
    ("server.py", ["--calls", "10"], "through the server"),
    ("cli_batch.py", ["--prompts", "10", "--concurrency", "2", "--repeats", "1"], "llm-resolver batch"),
    ("config_bombs.py", [], "alias bomb"),
    ("cli_startup.py", ["--runs", "1"], "resolve a spec"),
]


def test_every_benchmark_is_listed() -> None:
    assert sorted(p.name for p in BENCHMARKS.glob("*.py")) == sorted(name for name, _, _ in RUNS)


@pytest.mark.parametrize(("script", "args", "row"), RUNS, ids=[name for name, _, _ in RUNS])
def test_benchmark_runs(script: str, args: list[str], row: str) -> None:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert row in done.stdout, done.stdout[-2000:]
