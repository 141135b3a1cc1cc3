"""The OpenAI-compatible server's cost: latency added per request, its CPU per request, throughput.

Three processes: the provider emulator, ``llm-resolver serve`` in front of it, and this client (httpx).
Each row sends the same chat request, to the emulator directly and through the server; the server's
CPU is read from /proc for its process alone. Run on demand:  .venv/bin/python benchmarks/server.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from overhead import EMULATOR

BODY = {"model": "bench", "messages": [{"role": "user", "content": "hello"}]}
SPEC = """bench:
  class_name: litellm
  properties: {{model: openai/gpt-4o-mini, api_base: "{base}", api_key: k, max_retries: 0}}
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def latencies(client: httpx.AsyncClient, url: str, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        (await client.post(url, json=BODY)).raise_for_status()
        out.append((time.perf_counter() - start) * 1000)
    return out


async def throughput(client: httpx.AsyncClient, url: str, calls: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            (await client.post(url, json=BODY)).raise_for_status()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(calls)))
    return calls / (time.perf_counter() - start)


async def measure(emulator: str, server: str, server_pid: int, calls: int) -> None:
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        for _ in range(20):
            (await client.post(f"{emulator}/v1/chat/completions", json=BODY)).raise_for_status()
        direct = await latencies(client, f"{emulator}/v1/chat/completions", calls)
        for _ in range(20):  # the server imports LiteLLM on its first request: keep that out
            (await client.post(f"{server}/v1/chat/completions", json=BODY)).raise_for_status()
        cpu_before = cpu_seconds(server_pid)
        served = await latencies(client, f"{server}/v1/chat/completions", calls)
        server_cpu = (cpu_seconds(server_pid) - cpu_before) / calls * 1000
        direct_rate = await throughput(client, f"{emulator}/v1/chat/completions", calls, 20)
        served_rate = await throughput(client, f"{server}/v1/chat/completions", calls, 20)
    p50_direct, p50_served = statistics.median(direct), statistics.median(served)
    print(f"{'path':<28} {'p50 ms':>8} {'p95 ms':>8} {'req/s @20':>10}")
    for name, lat, rate in (
        ("emulator directly", direct, direct_rate),
        ("through the server", served, served_rate),
    ):
        p95 = statistics.quantiles(lat, n=20)[-1]
        print(f"{name:<28} {statistics.median(lat):>8.2f} {p95:>8.2f} {rate:>10.0f}")
    print(
        f"added per request: {p50_served - p50_direct:.2f} ms at p50; server CPU {server_cpu:.2f} ms/request"
    )
    print(f"({calls} requests per row, Python {sys.version.split()[0]}, all processes on one machine)")


def main(calls: int) -> None:
    emulator = subprocess.Popen([sys.executable, "-c", EMULATOR], stdout=subprocess.PIPE, text=True)
    server: subprocess.Popen[str] | None = None
    try:
        assert emulator.stdout is not None
        base = emulator.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            spec = Path(tmp) / "bench.yaml"
            spec.write_text(SPEC.format(base=f"{base}/v1"))
            port = free_port()
            script = str(Path(sys.executable).parent / "llm-resolver")
            server = subprocess.Popen(
                [script, "serve", "--spec", str(spec), "--port", str(port)], stdout=subprocess.PIPE, text=True
            )
            assert server.stdout is not None
            server.stdout.readline()  # printed once the server listens
            url = f"http://127.0.0.1:{port}"
            asyncio.run(measure(base, url, server.pid, calls))
    finally:
        for child in (server, emulator):
            if child is not None:
                child.terminate()
                child.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=500)
    main(parser.parse_args().calls)
