"""What llm-resolver adds on top of raw LiteLLM, measured on the path a user takes.

Both contenders talk to one provider emulator in a separate process (so only client work is counted
here): raw ``litellm.acompletion``/``completion`` with its retries off, and an LLM resolved the public
way, ``DependencySpec(class_name="litellm", ...).to_resolver().get_or_resolve()``, with every installed
plugin loaded. Contenders run interleaved in small blocks whose order rotates every round, and the
whole measurement repeats (3 times by default); each row prints the median and the spread (min-max)
of the repeats, and the ratio to raw LiteLLM per repeat.

In-process rows: CPU per call (async and sync, sequential; async also under a per-call deadline),
calls/s at concurrency 50, CPU per stream and time to its first text; each block starts after a full
garbage collection and ends once LiteLLM's after-call logging has run. Fresh-process rows (each run in a new interpreter, contenders
alternating): ``import``, resolving a spec, and the first call of a process.

Run on demand:  .venv/bin/python benchmarks/overhead.py [--repeats 3] [--block 25] [--rounds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

EMULATOR = """
import time
from llm_resolver.testing import ProviderEmulator, Reply
e = ProviderEmulator()
e.default_reply = Reply(text="one two three four five six seven", usage=(12, 7))
e.start(); print(e.url, flush=True)
time.sleep(3600)
"""
MESSAGES = [{"role": "user", "content": "hello"}]
RAW = "litellm"
OURS = "llm-resolver"
DEADLINE = "llm-resolver, deadline=30"  # a share of a deadline below the model's timeout, per call


@dataclass
class Row:
    """One metric: per repeat, each contender's value (and the ratio ours / raw)."""

    name: str
    unit: str
    digits: int = 2
    values: dict[str, list[float]] = field(default_factory=lambda: {OURS: [], RAW: []})

    def add(self, ours: float, raw: float) -> None:
        self.values[OURS].append(ours)
        self.values[RAW].append(raw)

    def ratios(self) -> list[float]:
        if not self.values[RAW]:  # a row with no raw LiteLLM counterpart (resolving a spec)
            return []
        return [o / r for o, r in zip(self.values[OURS], self.values[RAW], strict=True) if r]


def spread(values: list[float], digits: int) -> str:
    if not values:
        return "-"
    middle = statistics.median(values)
    return f"{middle:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def rotated(items: list[str], turn: int) -> list[str]:
    k = turn % len(items)
    return items[k:] + items[:k]


# In-process measurements -------------------------------------------------------------------------


def resolve(base: str) -> object:
    from llm_resolver import DependencySpec

    spec = DependencySpec(
        class_name="litellm", properties={"model": "openai/gpt-4o-mini", "api_base": base, "api_key": "x"}
    )
    return spec.to_resolver().get_or_resolve()


def raw_kwargs(base: str) -> dict[str, object]:
    return {
        "model": "openai/gpt-4o-mini",
        "api_base": base,
        "api_key": "x",
        "num_retries": 0,
        "max_retries": 0,
    }


async def async_rows(base: str, args: argparse.Namespace) -> list[Row]:
    import litellm

    ours: object = resolve(base)
    kwargs = raw_kwargs(base)

    async def raw_call() -> object:
        return await litellm.acompletion(messages=MESSAGES, **kwargs)

    async def our_call() -> object:
        return await ours.acomplete("hello")  # type: ignore[attr-defined]

    async def our_call_with_deadline() -> object:
        return await ours.acomplete("hello", deadline=30)  # type: ignore[attr-defined]

    async def raw_stream() -> float:
        started = time.perf_counter()
        first = 0.0
        out = await litellm.acompletion(
            messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **kwargs
        )
        async for chunk in out:  # the first with text: LiteLLM also hands on the role-only opening
            if chunk.choices and chunk.choices[0].delta.content:
                first = first or time.perf_counter() - started
        return first

    async def our_stream() -> float:
        started = time.perf_counter()
        first = 0.0
        async with ours.astream("hello") as stream:  # type: ignore[attr-defined]
            async for chunk in stream:
                if chunk.text:
                    first = first or time.perf_counter() - started
        return first

    calls = {OURS: our_call, RAW: raw_call}
    streams = {OURS: our_stream, RAW: raw_stream}
    for name in calls:  # warm-up: imports, connection pools, caches
        for _ in range(20):
            await calls[name]()
            await streams[name]()

    sequential = {**calls, DEADLINE: our_call_with_deadline}
    cpu = Row("CPU per async call", "ms")
    cpu_deadline = Row("CPU per async call, deadline=30", "ms")
    rate = Row("calls/s at concurrency 50", "calls/s", digits=0)
    stream_cpu = Row("CPU per async stream", "ms")
    first_chunk = Row("time to first text", "ms", digits=1)
    for _ in range(args.repeats):
        spent = dict.fromkeys(sequential, 0.0)
        for turn in range(args.rounds):
            for name in rotated(list(sequential), turn):
                settle()
                start = time.process_time()
                for _ in range(args.block):
                    await sequential[name]()
                await finished()
                spent[name] += time.process_time() - start
        n = args.rounds * args.block
        cpu.add(spent[OURS] / n * 1000, spent[RAW] / n * 1000)
        cpu_deadline.add(spent[DEADLINE] / n * 1000, spent[RAW] / n * 1000)

        per_second: dict[str, list[float]] = {OURS: [], RAW: []}
        for turn in range(4):
            for name in rotated(list(calls), turn):
                settle()
                per_second[name].append(await concurrently(calls[name], args.concurrent_calls, 50))
                await finished()  # the block's after-call logging runs here, in no one's time
        rate.add(statistics.median(per_second[OURS]), statistics.median(per_second[RAW]))

        spent = {OURS: 0.0, RAW: 0.0}
        firsts: dict[str, list[float]] = {OURS: [], RAW: []}
        for turn in range(args.rounds):
            for name in rotated(list(streams), turn):
                settle()
                start = time.process_time()
                for _ in range(max(1, args.block // 2)):
                    firsts[name].append(await streams[name]())
                await finished()
                spent[name] += time.process_time() - start
        n = args.rounds * max(1, args.block // 2)
        stream_cpu.add(spent[OURS] / n * 1000, spent[RAW] / n * 1000)
        first_chunk.add(statistics.median(firsts[OURS]) * 1000, statistics.median(firsts[RAW]) * 1000)
    from llm_resolver import aclose_clients

    await aclose_clients()
    return [cpu, cpu_deadline, rate, stream_cpu, first_chunk]


# LiteLLM logs each call after returning it, in a task or a worker thread; a block's CPU includes
# that work, so it is waited for inside the block rather than counted in the next contender's.
AFTERWORK_S = 0.05


def settle() -> None:
    """Start each block from the same collector state. A full collection of LiteLLM's heap (about
    0.4 s here) otherwise lands in whichever block crosses the threshold and decides that cell."""
    gc.collect()


async def finished() -> None:
    await asyncio.sleep(AFTERWORK_S)


async def concurrently(call: Callable[[], Awaitable[object]], calls: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(calls)))
    return calls / (time.perf_counter() - start)


def sync_rows(base: str, args: argparse.Namespace) -> list[Row]:
    import litellm

    ours: object = resolve(base)
    kwargs = raw_kwargs(base)
    calls: dict[str, Callable[[], object]] = {
        OURS: lambda: ours.complete("hello"),  # type: ignore[attr-defined]
        RAW: lambda: litellm.completion(messages=MESSAGES, **kwargs),
    }
    for name in calls:
        for _ in range(20):
            calls[name]()
    cpu = Row("CPU per sync call", "ms")
    for _ in range(args.repeats):
        spent = {OURS: 0.0, RAW: 0.0}
        for turn in range(args.rounds):
            for name in rotated(list(calls), turn):
                settle()
                start = time.process_time()
                for _ in range(args.block):
                    calls[name]()
                time.sleep(AFTERWORK_S)
                spent[name] += time.process_time() - start
        n = args.rounds * args.block
        cpu.add(spent[OURS] / n * 1000, spent[RAW] / n * 1000)
    return [cpu]


# Fresh-process measurements ----------------------------------------------------------------------

# Each prints one number of milliseconds (wall clock, in the new interpreter).
FRESH = {
    "import": {
        OURS: "import time; t = time.perf_counter(); import llm_resolver; print((time.perf_counter() - t) * 1000)",
        RAW: "import time; t = time.perf_counter(); import litellm; print((time.perf_counter() - t) * 1000)",
    },
    "resolve a spec (after import)": {
        OURS: (
            "import sys, time; from llm_resolver import DependencySpec\n"
            "spec = DependencySpec(class_name='litellm', properties={'model': 'openai/gpt-4o-mini', "
            "'api_base': sys.argv[1], 'api_key': 'x'})\n"
            "t = time.perf_counter(); spec.to_resolver().get_or_resolve(); print((time.perf_counter() - t) * 1000)"
        ),
    },
    "first call of a process (import to answer)": {
        OURS: (
            "import sys, time; t = time.perf_counter(); from llm_resolver import DependencySpec\n"
            "llm = DependencySpec(class_name='litellm', properties={'model': 'openai/gpt-4o-mini', "
            "'api_base': sys.argv[1], 'api_key': 'x'}).to_resolver().get_or_resolve()\n"
            "llm.complete('hello'); print((time.perf_counter() - t) * 1000)"
        ),
        RAW: (
            "import sys, time; t = time.perf_counter(); import litellm\n"
            "litellm.completion(model='openai/gpt-4o-mini', api_base=sys.argv[1], api_key='x', num_retries=0, "
            "max_retries=0, messages=[{'role': 'user', 'content': 'hello'}]); print((time.perf_counter() - t) * 1000)"
        ),
    },
}


def fresh_rows(base: str, args: argparse.Namespace) -> list[Row]:
    rows = []
    for name, programs in FRESH.items():
        row = Row(name, "ms", digits=0)
        for program in programs.values():
            fresh(program, base)  # writes the bytecode caches the timed runs load
        for _ in range(args.repeats):
            runs: dict[str, list[float]] = {OURS: [], RAW: []}
            for turn in range(args.fresh_runs):
                for who in rotated(list(programs), turn):
                    runs[who].append(fresh(programs[who], base))
            row.values[OURS].append(statistics.median(runs[OURS]))
            if runs[RAW]:
                row.values[RAW].append(statistics.median(runs[RAW]))
        rows.append(row)
    return rows


def fresh(program: str, base: str) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled once, not at every start
    done = subprocess.run(
        [sys.executable, "-c", program, base],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    return float(done.stdout.strip().splitlines()[-1])


# Report ------------------------------------------------------------------------------------------


def report(rows: list[Row], args: argparse.Namespace) -> None:
    print(f"{'metric':<44} {'llm-resolver':>22} {'raw litellm':>22} {'ratio (ours/raw)':>20}\n" + "-" * 111)
    for row in rows:
        ratio = spread(row.ratios(), 2) if row.values[RAW] else "-"
        label = f"{row.name} ({row.unit})"
        print(
            f"{label:<44} {spread(row.values[OURS], row.digits):>22} {spread(row.values[RAW], row.digits):>22} {ratio:>20}"
        )
    print(
        f"\nmedian (min-max) of {args.repeats} repeats; in-process rows: blocks of {args.block} calls, "
        f"{args.rounds} rounds per repeat, order rotating; fresh-process rows: median of {args.fresh_runs} "
        f"interpreters per repeat.\nPython {platform.python_version()}, litellm "
        f"{importlib.metadata.version('litellm')}, {os.cpu_count()} CPUs, {platform.machine()}; calls/s is bound "
        "by the client's CPU (the emulator spends far less per call)."
    )


def main(args: argparse.Namespace) -> None:
    server = subprocess.Popen([sys.executable, "-c", EMULATOR], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip() + "/v1"
        rows = fresh_rows(base, args) if not args.skip_fresh else []
        rows += asyncio.run(async_rows(base, args))
        rows += sync_rows(base, args)
        if args.json:
            print(
                json.dumps([{"name": r.name, "unit": r.unit, **r.values, "ratios": r.ratios()} for r in rows])
            )
        report(rows, args)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--block", type=int, default=25, help="calls per contender per block")
    parser.add_argument("--rounds", type=int, default=8, help="blocks per contender per repeat")
    parser.add_argument("--concurrent-calls", type=int, default=300, help="calls per concurrency-50 run")
    parser.add_argument("--fresh-runs", type=int, default=5, help="interpreters per contender per repeat")
    parser.add_argument("--skip-fresh", action="store_true", help="only the in-process rows")
    parser.add_argument("--json", action="store_true", help="also print the raw numbers as JSON")
    main(parser.parse_args())
