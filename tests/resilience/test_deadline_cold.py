"""The deadline is a wall-clock bound from a call's start, also for the first call of a cold process:
LiteLLM's import begins in the background when the LLM is resolved and is not charged to the
deadline, and the attempt itself (a cold client's set-up included) cannot run past it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from llm_resolver.testing import Fault, ProviderEmulator

CHILD = """
import json, logging, sys, time
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("llm_resolver").addHandler(Keep()); logging.getLogger("llm_resolver").setLevel(logging.DEBUG)
from llm_resolver import LiteLLMResolver, LLMError
resolved = time.monotonic()
llm = LiteLLMResolver(env={}, model="openai/gpt-4o-mini", api_base=sys.argv[1], api_key="x",
                      timeout=30, max_retries=3).get_or_resolve()
started = time.monotonic()
try:
    llm.complete("hello", deadline=float(sys.argv[2]))
    outcome = "answered"
except LLMError as error:
    outcome = type(error).__name__
took = time.monotonic() - started
def seconds(prefix):
    return [float(m.split(" in ")[1].rstrip("s")) for m in records if m.startswith(prefix)]
imported = seconds("LiteLLM imported")
ahead = seconds("call path imported")  # the library's own modules, imported on the same thread first
print(json.dumps({"outcome": outcome, "took": took, "imported": imported, "ahead": ahead}))
"""


@pytest.mark.parametrize("deadline", [2.0])
def test_a_cold_first_call_ends_at_its_deadline_plus_the_rest_of_the_import(
    provider_emulator: ProviderEmulator, deadline: float
) -> None:
    provider_emulator.script(*[Fault.slow(30)] * 4)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENAI_"))}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, provider_emulator.openai_base, str(deadline)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "LLM_RESOLVER_PLUGINS": ""},
        check=False,
    )
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["outcome"] == "LLMTimeoutError"
    assert len(result["imported"]) >= 1  # reported once at DEBUG
    # At most the import (which began at resolve time, before the call) plus the deadline.
    assert result["took"] < sum(result["ahead"]) + min(result["imported"]) + deadline + 0.5, result
    assert provider_emulator.request_count() == 1
