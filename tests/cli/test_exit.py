"""The installed script exits right after its last output: no seconds-long linger while Python shuts
down over LiteLLM's modules. The bound is generous; the timing itself is in ``benchmarks/cli_startup.py``."""

from __future__ import annotations

import os
import selectors
import subprocess
import time

from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import CONSOLE_SCRIPT, clean_env

EXIT_BOUND_S = 1.5


def seconds_from_last_output_to_exit(argv: list[str], env: dict[str, str]) -> tuple[float, str, int]:
    """Run ``argv``, note when its last byte of stdout or stderr arrived, and how long it took to exit."""
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert child.stdout is not None
    assert child.stderr is not None
    streams = selectors.DefaultSelector()
    streams.register(child.stdout, selectors.EVENT_READ)
    streams.register(child.stderr, selectors.EVENT_READ)
    output, last = b"", time.monotonic()
    deadline = last + 120
    try:
        while streams.get_map() and time.monotonic() < deadline:
            for key, _ in streams.select(timeout=1):
                data = os.read(key.fd, 65536)
                if data:
                    output, last = output + data, time.monotonic()
                else:
                    streams.unregister(key.fileobj)
        # The streams close when the process is gone (its LiteLLM threads hold no copies of them).
        code = child.wait(timeout=60)
        return time.monotonic() - last, output.decode(), code
    finally:
        child.kill()
        child.stdout.close()
        child.stderr.close()


def test_complete_exits_right_after_its_last_output(provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="bye", usage=(3, 1)))
    argv = [
        str(CONSOLE_SCRIPT),
        "complete",
        "hi",
        "--model",
        "openai/gpt-4o-mini",
        "--api-base",
        provider_emulator.openai_base,
    ]

    linger, output, code = seconds_from_last_output_to_exit(argv, clean_env({"OPENAI_API_KEY": "x"}))

    assert code == 0, output
    assert "bye" in output
    assert "1 attempt" in output  # the summary line, the last thing it writes
    assert linger < EXIT_BOUND_S, f"exited {linger:.2f}s after its last output"
