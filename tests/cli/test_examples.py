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
    "frameworks.py": [
        "langchain: About 2.1 million people live in Paris. (openai/gpt-4o-mini, cost_usd=0.0000162)",
        "pydantic-ai: City(name='Paris', population=2100000) tokens=38",
        "openai-agents: Bonjour ! (answered by anthropic/claude-haiku-4-5)",
        "requests: {'openai': 4, 'anthropic': 1}",
    ],
    "openai_server.py": [
        "reply: Your order ships today.",
        "answered by: anthropic/claude-haiku-4-5 after 2 attempts",
        "models: ['support']",
        "responses: Tracking: 1Z999.",
    ],
    "fastapi_host.py": [
        "host route: {'hello': 'alice'}",
        "alice: Hello Alice, how can I help?",
        "stranger: 401 {'detail': 'sign in first'}",
        "estimate for 1,000 + 200 tokens: $0.000270",
    ],
}


# Where LiteLLM would fetch its price map and Anthropic's beta headers from: a closed port, so that
# any attempt fails at once and is logged.
NOWHERE = "http://127.0.0.1:1/"
FETCH_URLS = {"LITELLM_MODEL_COST_MAP_URL": NOWHERE, "LITELLM_ANTHROPIC_BETA_HEADERS_URL": NOWHERE}
OFFLINE_SWITCHES = ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS")


def as_a_user_runs_it() -> dict[str, str]:
    """A clean environment without LiteLLM's offline switches (a user's shell has none)."""
    env = clean_env(FETCH_URLS)
    for var in OFFLINE_SWITCHES:
        env.pop(var, None)
    return env


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every example, started at once (each pays LiteLLM's import), then collected."""
    children = {
        path.name: subprocess.Popen(
            [sys.executable, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=as_a_user_runs_it(),
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


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_fetches_nothing_without_the_offline_switches(
    name: str, runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    err = runs[name].stderr
    assert "cost map" not in err.lower()
    assert "beta headers" not in err.lower()
