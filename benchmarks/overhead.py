"""Client-side cost of one chat call: llm-resolver vs raw LiteLLM vs the openai SDK vs plain httpx.

Runs the provider emulator in a separate process so only the client's CPU is measured here, then
prints a table: CPU per call (sequential, non-streaming and streaming), throughput at concurrency 50,
and resident memory. Run on demand:  .venv/bin/python benchmarks/overhead.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

EMULATOR = (
    "from llm_resolver.testing import ProviderEmulator, Reply\n"
    "import time\n"
    "e = ProviderEmulator(); e.default_reply = Reply(text='one two three four five six seven', usage=(12, 7))\n"
    "e.start(); print(e.url, flush=True)\n"
    "time.sleep(3600)\n"
)
MESSAGES = [{"role": "user", "content": "hello"}]


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def cpu_per_call(call: Callable[[], Awaitable[object]], calls: int) -> float:
    for _ in range(20):  # warm-up: imports, connection pools, tokenizer caches
        await call()
    start = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - start) / calls * 1000


async def throughput(call: Callable[[], Awaitable[object]], calls: int, concurrency: int = 50) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(calls)))
    return calls / (time.perf_counter() - start)


def main(calls: int) -> None:
    server = subprocess.Popen([sys.executable, "-c", EMULATOR], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        asyncio.run(run(url, calls))
    finally:
        server.terminate()
        server.wait(timeout=10)


async def run(url: str, calls: int) -> None:
    import httpx
    import litellm
    import openai

    from llm_resolver import LiteLLMConfig
    from llm_resolver.llm.litellm_llm import LiteLLM

    base = f"{url}/v1"
    body = {"model": "gpt-4o-mini", "messages": MESSAGES}
    client = httpx.AsyncClient(base_url=base, headers={"authorization": "Bearer x"}, timeout=30)
    sdk = openai.AsyncOpenAI(base_url=base, api_key="x", max_retries=0)
    ours = LiteLLM(LiteLLMConfig(model="openai/gpt-4o-mini", api_base=base, api_key="x"))
    raw_kwargs = {
        "model": "openai/gpt-4o-mini",
        "api_base": base,
        "api_key": "x",
        "num_retries": 0,
        "max_retries": 0,
    }

    async def via_httpx() -> object:
        return (await client.post("/chat/completions", json=body)).json()

    async def via_sdk() -> object:
        return await sdk.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]

    async def via_litellm() -> object:
        return await litellm.acompletion(messages=MESSAGES, **raw_kwargs)

    async def via_ours() -> object:
        return await ours.acomplete("hello")

    async def stream_sdk() -> object:
        out = await sdk.chat.completions.create(
            model="gpt-4o-mini",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},  # type: ignore[arg-type]
        )
        return [c async for c in out]

    async def stream_litellm() -> object:
        out = await litellm.acompletion(
            messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **raw_kwargs
        )
        return [c async for c in out]

    async def stream_ours() -> object:
        async with ours.astream("hello") as stream:
            return [c async for c in stream]

    print(f"RSS after imports: {rss_mib():.0f} MiB")
    rows = []
    for name, call, streamed in (
        ("httpx", via_httpx, None),
        ("openai SDK", via_sdk, stream_sdk),
        ("litellm.acompletion", via_litellm, stream_litellm),
        ("llm-resolver acomplete", via_ours, stream_ours),
    ):
        cpu = await cpu_per_call(call, calls)
        stream_cpu = await cpu_per_call(streamed, calls) if streamed else float("nan")
        rate = await throughput(call, calls * 2)
        rows.append((name, cpu, stream_cpu, rate))
    baseline = rows[2][1]
    print(f"{'client':<24} {'CPU ms/call':>12} {'vs litellm':>10} {'stream ms':>10} {'calls/s @50':>12}")
    for name, cpu, stream_cpu, rate in rows:
        print(f"{name:<24} {cpu:>12.2f} {cpu / baseline:>10.2f} {stream_cpu:>10.2f} {rate:>12.0f}")
    print(
        f"RSS after the run: {rss_mib():.0f} MiB ({calls} calls per row, Python {sys.version.split()[0]}, "
        f"litellm {importlib.metadata.version('litellm')}; calls/s is bounded by the emulator, a Python server)"
    )
    await client.aclose()
    await sdk.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    main(parser.parse_args().calls)
