"""Every script in examples/ runs on its own (no network, no key) and prints what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import clean_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Needs Python 3.13 and rusticai-core: scripts/test runs it in .venv-py313.
PY313_ONLY = {"rustic_guild.py"}

EXPECTED = {
    "quickstart.py": [
        "complete: Paris is the capital of France.",
        "  model=openai/gpt-4o-mini tokens=21 cost_usd=0.0000063",
        "stream: One, two, three, four, five.",
    ],
    "host_injection.py": [
        "sync draft: Resolvers turn specs into ready-to-use LLMs. (openai/gpt-4o-mini,",
        "async review: Clear, but say who benefits. -> Resolvers give every agent a ready-to-use LLM.",
        "memoised per scope: True",
    ],
    "tools_and_structured.py": [
        "answer: 250 EUR is 270.0 USD today.",
        "tool calls: ['rate', 'convert']",
        "parsed: Quote(currency='USD', amount=270.0)",
    ],
    "openai_server.py": [
        "reply: Your order ships today.",
        "answered by: anthropic/claude-haiku-4-5 after 2 attempts",
        "models: ['support']",
    ],
}


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every example, started at once (each pays LiteLLM's import), then collected."""
    children = {
        path.name: subprocess.Popen(
            [sys.executable, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        for path in sorted(EXAMPLES.glob("*.py"))
        if path.name not in PY313_ONLY
    }
    done = {}
    for name, child in children.items():
        out, err = child.communicate(timeout=120)
        done[name] = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    return done


def test_every_example_has_expectations(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert sorted(runs) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    done = runs[name]

    assert done.returncode == 0, done.stderr
    for line in EXPECTED[name]:
        assert line in done.stdout
    assert "Traceback" not in done.stderr
