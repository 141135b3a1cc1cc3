"""What the in-memory meter keeps per distinct scope, and whether reserving slows as scopes add up.

Each of N distinct scopes (10 orgs, 1,000 guilds, N agents) makes one priced call: reserve against
its own and its org's budget, record, settle. tracemalloc counts what the meter keeps afterwards
(the scope objects belong to the caller and are left out). Then one reservation against three
nested budgets is timed. Run on demand:  .venv/bin/python benchmarks/meter_memory.py [--scopes N]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

from llm_resolver import InMemoryMeter, Scope
from llm_resolver.metering import Budget, Reservation, UsageEvent
from llm_resolver.types.responses import Usage

MODEL = "openai/gpt-4o-mini"
USAGE = Usage(prompt_tokens=1200, completion_tokens=300, total_tokens=1500)


def fill(meter: InMemoryMeter, scopes: list[Scope]) -> None:
    for n, scope in enumerate(scopes):
        call = Reservation(scope, MODEL, "r", 0.001, (Budget(scope, 1.0), Budget(Scope(scope.org), 1e6)))
        meter.reserve(call)
        meter.record(UsageEvent(scope, MODEL, "complete", "r", USAGE, 0.000123 + n * 1e-9, 0.1, "ok"))
        meter.settle(call, 0.0)


def reserve_us(meter: InMemoryMeter, scope: Scope, rounds: int = 20_000) -> float:
    budgets = (Budget(scope, 1.0), Budget(Scope(scope.org, scope.guild), 1e6), Budget(Scope(scope.org), 1e6))
    call = Reservation(scope, MODEL, "r", 0.001, budgets)
    started = time.perf_counter()
    for _ in range(rounds):
        meter.reserve(call)
        meter.settle(call, 0.0)
    return (time.perf_counter() - started) / rounds * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scopes", type=int, default=100_000)
    count = parser.parse_args().scopes
    scopes = [Scope(f"org-{n % 10}", f"guild-{n % 1000}", f"agent-{n}") for n in range(count)]
    few = InMemoryMeter()
    fill(few, scopes[:10])
    gc.collect()
    tracemalloc.start()
    meter = InMemoryMeter()
    fill(meter, scopes)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"{count:,} scopes: {kept / 1e6:.1f} MB kept by the meter, {kept / count:.0f} B per scope")
    print(
        f"reserve + settle, three nested budgets: {reserve_us(few, scopes[5]):.1f} us after 10 scopes, "
        f"{reserve_us(meter, scopes[5]):.1f} us after {count:,}"
    )


if __name__ == "__main__":
    main()
