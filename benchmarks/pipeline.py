"""What llm-resolver's own stages cost per call, with no LiteLLM and no network under them.

``overhead.py`` compares whole calls against raw LiteLLM; a call there costs 5-15 ms of LiteLLM,
SDK and HTTP work, and run-to-run noise of a few percent hides changes of our own stages. Here the
LLM runs every stage (prepare, cache, budget, the attempt loop, observe, meters, the plugin hooks of
every installed plugin) over a backend that answers at once with a fixed reply, so the CPU counted
is ours alone, to the microsecond. Each row runs in blocks whose order rotates every round, the
whole measurement repeats (3 times by default), and each row prints the median and the spread
(min-max) of the repeats.

Run on demand:  .venv/bin/python benchmarks/pipeline.py [--repeats 3] [--block 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

from llm_resolver import LiteLLMConfig
from llm_resolver.backend.port import Reply, Wire
from llm_resolver.backend.targets import Target
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.types.messages import Message
from llm_resolver.types.responses import Usage

REPLY = Reply(
    message=Message(role="assistant", content="one two three four five six seven"),
    finish_reason="stop",
    usage=Usage(prompt_tokens=12, completion_tokens=7, total_tokens=19),
    cost_usd=0.00001,
)


class InstantBackend:
    """The chat half of the backend port, answering every request at once with ``REPLY``."""

    def send(self, target: Target, wire: Wire, seconds: float) -> Reply:
        return REPLY

    async def asend(self, target: Target, wire: Wire, seconds: float) -> Reply:
        return REPLY


def llm() -> LiteLLM:
    config = LiteLLMConfig(model="openai/gpt-4o-mini", api_key="x", api_base="http://127.0.0.1:9/v1")
    return LiteLLM(config, backend=InstantBackend())  # type: ignore[arg-type]  # chat calls only


def measure(args: argparse.Namespace) -> dict[str, list[float]]:
    """Per row, the CPU microseconds per call of each repeat."""
    ours = llm()
    sync_rows: dict[str, Callable[[], object]] = {"sync call": lambda: ours.complete("hello")}
    async_rows: dict[str, Callable[[], Awaitable[object]]] = {
        "async call": lambda: ours.acomplete("hello"),
        "async call, deadline=30": lambda: ours.acomplete("hello", deadline=30),
        "async call, cache off": lambda: ours.acomplete("hello", cache=False),
    }
    names = [*sync_rows, *async_rows]
    out: dict[str, list[float]] = {name: [] for name in names}

    async def block(name: str) -> float:
        gc.collect()
        start = time.process_time()
        if name in sync_rows:
            for _ in range(args.block):
                sync_rows[name]()
        else:
            for _ in range(args.block):
                await async_rows[name]()
        return time.process_time() - start

    async def run() -> None:
        for name in names:  # warm-up: lazy imports, the tokenizer, pydantic's first validations
            await block(name)
        for _ in range(args.repeats):
            spent = dict.fromkeys(names, 0.0)
            for turn in range(args.rounds):
                k = turn % len(names)
                for name in names[k:] + names[:k]:
                    spent[name] += await block(name)
            for name in names:
                out[name].append(spent[name] / (args.rounds * args.block) * 1e6)

    asyncio.run(run())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--block", type=int, default=2000, help="calls per block")
    parser.add_argument("--rounds", type=int, default=5, help="blocks per row and repeat")
    parser.add_argument("--json", action="store_true", help="also print the values as JSON")
    args = parser.parse_args()
    results = measure(args)
    print(f"Python {platform.python_version()}, {platform.machine()}, {args.repeats} repeats")
    print(f"{'row':28} CPU per call, us: median (min-max)")
    for name, values in results.items():
        print(f"{name:28} {statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})")
    if args.json:
        json.dump(results, sys.stdout)
        print()


if __name__ == "__main__":
    main()
