"""Memory per scope: what a process keeps when callers name many distinct scopes.

Resolves ``--scopes`` distinct scopes from one spec (the path a server takes for each tenant's
``X-LLM-Scope``), then makes one real call in each of ``--called`` of them against the provider
emulator (a separate process), and prints resident memory growth after each phase, three runs in
fresh interpreters (median and spread). Run on demand:
    .venv/bin/python benchmarks/scopes.py [--scopes 100000] [--called 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

EMULATOR = (
    "from llm_resolver.testing import ProviderEmulator\n"
    "import time\n"
    "e = ProviderEmulator(); e.start(); print(e.url, flush=True)\n"
    "time.sleep(3600)\n"
)

# One run, in a fresh interpreter so earlier runs' memory does not count.
RUN = """
import asyncio, gc, json, sys
from llm_resolver import DependencySpec, Scope

def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) / 1024 for l in status if l.startswith("VmRSS:"))

url, scopes, called = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
spec = DependencySpec(class_name="litellm", properties={
    "model": "openai/gpt-4o-mini", "api_base": url + "/v1", "api_key": "x", "budget_usd": 1000.0})
resolver = spec.to_resolver()
resolver.get_or_resolve(Scope("warm")).complete("hello")  # imports, clients, tokenizer
gc.collect(); start = rss()
for n in range(scopes):
    resolver.get_or_resolve(Scope("tenant", f"guild-{n}", "agent"))
gc.collect(); resolved = rss()

async def calls():
    gate = asyncio.Semaphore(50)
    async def one(n):
        async with gate:
            await resolver.get_or_resolve(Scope("caller", f"guild-{n}", "agent")).acomplete("hello")
    await asyncio.gather(*(one(n) for n in range(called)))

asyncio.run(calls())
gc.collect()
print(json.dumps({"resolved": resolved - start, "called": rss() - resolved}))
"""


def main(scopes: int, called: int, repeats: int) -> None:
    server = subprocess.Popen([sys.executable, "-c", EMULATOR], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", RUN, url, str(scopes), str(called)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(repeats)
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{'phase':<44} {'RSS growth MiB (median)':>24} {'spread':>12}")
    for key, label in (
        ("resolved", f"{scopes:,} scopes resolved"),
        ("called", f"{called:,} more scopes, one call each"),
    ):
        values = [r[key] for r in runs]
        print(f"{label:<44} {statistics.median(values):>24.1f} {min(values):>5.1f}-{max(values):<6.1f}")
    print(f"({repeats} runs in fresh interpreters, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scopes", type=int, default=100_000)
    parser.add_argument("--called", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    main(args.scopes, args.called, args.repeats)
