"""The ledger never runs on an event loop: while another process holds its file locked, async calls
wait off the loop (other tasks keep running), and a budget that cannot be checked refuses the call
unless ``budget_usd.on_meter_error: allow`` says otherwise."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from llm_resolver_cost_ledger import Ledger

from llm_resolver import LiteLLMResolver, LLMBudgetExceededError, Scope
from llm_resolver.testing import ProviderEmulator

HOLD_LOCK = (
    "import sqlite3, sys, time\n"
    "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2])); db.execute('COMMIT')\n"
)


@contextmanager
def locked_by_another_process(path: Path, seconds: float) -> Iterator[None]:
    Ledger(path).close()  # the file and its tables exist before the other process locks it
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        yield


async def _longest_stall(work: asyncio.Future[object] | asyncio.Task[object]) -> float:
    """The longest the loop went without running another task while ``work`` ran."""
    longest, last = 0.0, time.monotonic()
    while not work.done():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    return longest


async def test_async_calls_wait_for_a_locked_ledger_off_the_loop(
    make_resolver: Callable[..., LiteLLMResolver], ledger_path: Path, litellm_async_clients: None
) -> None:
    llm = make_resolver(budget_usd=1.0, max_tokens=10).get_or_resolve(Scope("acme"))
    await llm.acomplete("warm up")
    with locked_by_another_process(ledger_path, 1.5):
        call = asyncio.ensure_future(llm.acomplete("hello"))
        stall = await _longest_stall(call)
        assert (await call).text == "echo: hello"
    assert stall < 0.5, f"the event loop stalled {stall:.2f}s"


async def test_a_budget_the_locked_ledger_cannot_check_refuses_the_call(
    provider_emulator: ProviderEmulator, make_resolver: Callable[..., LiteLLMResolver], ledger_path: Path
) -> None:
    meters = [{"name": "ledger", "path": str(ledger_path), "timeout": 0.3}]
    llm = make_resolver(budget_usd=1.0, max_tokens=10, cost_meters=meters).get_or_resolve(Scope("acme"))
    with (
        locked_by_another_process(ledger_path, 2.0),
        pytest.raises(LLMBudgetExceededError, match="could not be checked"),
    ):
        await llm.acomplete("hello")
    assert provider_emulator.request_count() == 0


async def test_on_meter_error_allow_lets_calls_through_a_locked_ledger(
    provider_emulator: ProviderEmulator, make_resolver: Callable[..., LiteLLMResolver], ledger_path: Path
) -> None:
    meters = [{"name": "ledger", "path": str(ledger_path), "timeout": 0.3}]
    budget = {"usd": 1.0, "on_meter_error": "allow"}
    llm = make_resolver(budget_usd=budget, max_tokens=10, cost_meters=meters).get_or_resolve(Scope("acme"))
    with locked_by_another_process(ledger_path, 2.0):
        assert (await llm.acomplete("hello")).text == "echo: hello"
    assert provider_emulator.request_count() == 1
