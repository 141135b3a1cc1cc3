"""Throughput of ``llm-resolver batch`` beside the library's own ``acomplete`` loop, at the same concurrency.

Both contenders run in a fresh process against the provider emulator, which runs here (so this process
does nothing but serve). Calls/s is measured at the emulator for both alike: requests received divided
by the time from the first request to the last, so process start-up (importing LiteLLM) is left out;
the wall time of each process, start-up included, is shown beside it. Runs are interleaved, so load from
other processes falls on both; the table shows the median and the spread (slowest, fastest) of
``--repeats`` runs. Run on demand:
    .venv/bin/python benchmarks/cli_batch.py [--prompts 1000] [--concurrency 50] [--repeats 3] [--delay 0]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from llm_resolver.testing import ProviderEmulator, Reply

MODEL = "openai/gpt-4o-mini"
CONSOLE_SCRIPT = str(Path(sys.executable).with_name("llm-resolver"))
LIBRARY_LOOP = f"""
import asyncio, json, sys
from llm_resolver import LiteLLMResolver, aclose_clients

api_base, concurrency, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
prompts = [json.loads(line)["prompt"] for line in open(path)]
llm = LiteLLMResolver(model={MODEL!r}, api_base=api_base).get_or_resolve()

async def main():
    gate = asyncio.Semaphore(concurrency)
    async def one(prompt):
        async with gate:
            await llm.acomplete(prompt)
    await asyncio.gather(*(one(p) for p in prompts))
    await aclose_clients()

asyncio.run(main())
"""


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENAI_"))}
    return {**env, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "OPENAI_API_KEY": "x"}


def run_once(argv: list[str], emulator: ProviderEmulator, reply: Reply, prompts: int) -> tuple[float, float]:
    """(calls/s at the emulator, wall seconds of the process)."""
    emulator.reset()
    emulator.default_reply = reply
    started = time.perf_counter()
    subprocess.run(argv, env=environment(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    arrivals = sorted(r.received_at for r in emulator.requests)
    if len(arrivals) != prompts:
        raise RuntimeError(f"expected {prompts} requests, the emulator saw {len(arrivals)}")
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]), wall


def main(prompts: int, concurrency: int, repeats: int, delay: float) -> None:
    reply = Reply(text="one two three four five", usage=(12, 5), delay=delay)
    with ProviderEmulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.jsonl"
        inp.write_text("".join(json.dumps({"id": i, "prompt": f"prompt {i}"}) + "\n" for i in range(prompts)))
        contenders = {
            "llm-resolver batch": lambda run: [
                CONSOLE_SCRIPT,
                "batch",
                str(inp),
                str(Path(tmp) / f"out{run}.jsonl"),
                "--concurrency",
                str(concurrency),
                "--model",
                MODEL,
                "--api-base",
                emulator.openai_base,
            ],
            "library acomplete loop": lambda run: [
                sys.executable,
                "-c",
                LIBRARY_LOOP,
                emulator.openai_base,
                str(concurrency),
                str(inp),
            ],
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
        for run in range(repeats):
            for name, argv in contenders.items():
                results[name].append(run_once(argv(run), emulator, reply, prompts))
                rate, wall = results[name][-1]
                print(f"run {run + 1}: {name}: {rate:.0f} calls/s, {wall:.1f} s wall", flush=True)
    print(f"\n{prompts} prompts, concurrency {concurrency}, reply delay {delay}s, {repeats} runs each\n")
    print("| contender              | calls/s median | slowest | fastest | wall s median |")
    print("|------------------------|---------------:|--------:|--------:|--------------:|")
    for name, samples in results.items():
        rates = [r for r, _ in samples]
        walls = [w for _, w in samples]
        print(
            f"| {name:<22} | {statistics.median(rates):14.0f} | {min(rates):7.0f} | {max(rates):7.0f} | "
            f"{statistics.median(walls):13.1f} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds the emulator waits before answering"
    )
    options = parser.parse_args()
    main(options.prompts, options.concurrency, options.repeats, options.delay)
