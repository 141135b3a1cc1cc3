"""The plugin manager an LLM uses is decided once: its meters, cache, tools and call hooks share it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from llm_resolver.testing import ProviderEmulator

PROBE = """
from llm_resolver import hookimpl

SEEN = []


class Meter:
    def record(self, event):
        SEEN.append(["meter", event.outcome])


@hookimpl
def register_cost_meters(register):
    register("probe", Meter)


@hookimpl
def before_request(request, context):
    SEEN.append(["before_request", context.operation])


@hookimpl
def after_response(response, context):
    SEEN.append(["after_response", response.text])
"""

CALL = """
import json
import llmr_default_probe
from llm_resolver import LiteLLM, LiteLLMConfig

config = LiteLLMConfig(model="openai/gpt-4o-mini", api_base={base!r}, api_key="x", cost_meters=["probe"])
LiteLLM(config).complete("hi")
print(json.dumps(llmr_default_probe.SEEN))
"""


def installed_probe(tmp_path: Path) -> Path:
    """A distribution whose ``llm_resolver`` entry point is the probe plugin, in a fresh site dir."""
    site = tmp_path / "site"
    info = site / "llmr_default_probe-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: llmr-default-probe\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[llm_resolver]\nprobe = llmr_default_probe\n")
    (site / "llmr_default_probe.py").write_text(textwrap.dedent(PROBE))
    return site


def test_an_llm_built_directly_runs_the_hooks_of_the_plugins_its_meters_come_from(
    tmp_path: Path, provider_emulator: ProviderEmulator
) -> None:
    """In a fresh interpreter, so the process-wide manager is built from the probe's entry point."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENAI_"))}
    path = [str(installed_probe(tmp_path)), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(PYTHONPATH=os.pathsep.join(path), LLM_RESOLVER_PLUGINS="probe")
    code = CALL.format(base=provider_emulator.openai_base)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        ["before_request", "complete"],
        ["meter", "ok"],
        ["after_response", "echo: hi"],
    ]
