"""Budgets held by the ledger: concurrent calls in one process, and two processes sharing the file."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from llm_resolver_cost_ledger import Ledger

from llm_resolver import LiteLLMResolver, LLMBudgetExceededError, Scope
from llm_resolver.backend import catalog
from llm_resolver.backend.loader import litellm
from llm_resolver.testing import ProviderEmulator, Reply

MODEL = "openai/gpt-4o-mini"


def cost(prompt: int, completion: int) -> float:
    return float(
        sum(litellm().cost_per_token(model=MODEL, prompt_tokens=prompt, completion_tokens=completion))
    )


def estimate(max_tokens: int) -> float:
    return cost(catalog.count_tokens(MODEL, [{"role": "user", "content": "hello"}]), max_tokens)


async def test_fifty_concurrent_calls_and_the_ledger_total_equals_the_billed_usage(
    provider_emulator: ProviderEmulator,
    make_resolver: Callable[..., LiteLLMResolver],
    ledger_path: Path,
    litellm_async_clients: None,
) -> None:
    budget = 10 * estimate(20) * (1 + 1e-9)
    provider_emulator.default_reply = Reply(usage=(6, 20), delay=0.05)
    scope = Scope(org="acme", guild="support")
    llm = make_resolver(budget_usd=budget, max_tokens=20).get_or_resolve(scope)

    results = await asyncio.gather(*(llm.acomplete("hello") for _ in range(50)), return_exceptions=True)

    ok = [r for r in results if not isinstance(r, BaseException)]
    assert len(ok) == 10
    assert all(isinstance(r, LLMBudgetExceededError) for r in results if isinstance(r, BaseException))
    billed = provider_emulator.request_count() * cost(6, 20)  # what the emulator charged, priced by LiteLLM
    ledger = Ledger(ledger_path)
    assert provider_emulator.request_count() == 10
    assert ledger.spend(scope) == pytest.approx(billed, rel=1e-12)
    assert ledger.spend(scope) <= budget
    assert ledger.reserved() == 0
    assert sum(r.cost_usd or 0 for r in ok) == pytest.approx(billed, rel=1e-12)


CHILD = """
import asyncio, json, sys, time
from pathlib import Path
from llm_resolver import LiteLLMResolver, LLMBudgetExceededError, Scope
from llm_resolver.backend import catalog
from llm_resolver.plugins.manager import PluginManager

api_base, ledger, budget, ready, go = sys.argv[1], sys.argv[2], float(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5])
plugins = PluginManager(env={"LLM_RESOLVER_PLUGINS": "ledger"})
plugins.load_entrypoints()
llm = LiteLLMResolver(
    plugins=plugins, env={}, model="openai/gpt-4o-mini", api_base=api_base, api_key="k", max_tokens=20,
    budget_usd=budget, cost_meters=[{"name": "ledger", "path": ledger}],
).get_or_resolve(Scope(org="shared"))
catalog.count_tokens("openai/gpt-4o-mini", [{"role": "user", "content": "warm up"}])
ready.touch()
while not go.exists():
    time.sleep(0.005)

async def main():
    results = await asyncio.gather(*(llm.acomplete("hello") for _ in range(15)), return_exceptions=True)
    refused = sum(isinstance(r, LLMBudgetExceededError) for r in results)
    other = [repr(r) for r in results if isinstance(r, BaseException) and not isinstance(r, LLMBudgetExceededError)]
    print(json.dumps({"ok": len(results) - refused - len(other), "refused": refused, "other": other}))

asyncio.run(main())
"""


def test_two_processes_sharing_the_ledger_cannot_jointly_exceed_its_budget(
    provider_emulator: ProviderEmulator, ledger_path: Path, tmp_path: Path
) -> None:
    provider_emulator.default_reply = Reply(usage=(6, 20), delay=0.03)
    budget = 12 * estimate(20) * (1 + 1e-9)  # each process alone would run 12 of its 15 calls
    go = tmp_path / "go"
    children = []
    for n in range(2):
        ready = tmp_path / f"ready-{n}"
        args = [provider_emulator.openai_base, str(ledger_path), repr(budget), str(ready), str(go)]
        children.append(
            (ready, subprocess.Popen([sys.executable, "-c", CHILD, *args], stdout=subprocess.PIPE, text=True))
        )
    try:
        reports = _run_together(children, go)
    finally:
        for _, proc in children:  # a failed start must not leave a child (and its pipe) behind
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

    assert [r["other"] for r in reports] == [[], []]
    ok = sum(r["ok"] for r in reports)
    assert ok + sum(r["refused"] for r in reports) == 30
    assert ok == provider_emulator.request_count()
    ledger = Ledger(ledger_path)
    assert ledger.spend(Scope(org="shared")) == pytest.approx(ok * cost(6, 20), rel=1e-12)
    assert ledger.spend(Scope(org="shared")) <= budget
    assert ok <= 12  # jointly; without the shared ledger each process would have run 12
    assert ledger.reserved() == 0


def _run_together(children: list[tuple[Path, subprocess.Popen[str]]], go: Path) -> list[dict[str, Any]]:
    """Wait until every child is ready, release them at once, and collect their JSON reports."""
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
    return reports
