"""Shared set-up for the CLI tests: a clean environment, and running the installed console script."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from llm_resolver.config.providers import PROVIDER_KEY_VARS
from llm_resolver.config.sources import CONFIG_FILE_VAR, ENV_FIELDS

CONSOLE_SCRIPT = Path(sys.executable).with_name("llm-resolver")

# Everything in the environment that changes how a spec resolves or which plugins load.
SETTINGS_VARS = (
    *ENV_FIELDS,
    *(var for group in PROVIDER_KEY_VARS.values() for var in group),
    CONFIG_FILE_VAR,
    "LLM_RESOLVER_PLUGINS",
    "LLM_RESOLVER_STRICT_PLUGINS",
)

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own LLM_MODEL or keys must not leak into what the tests see."""
    for var in SETTINGS_VARS:
        monkeypatch.delenv(var, raising=False)


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env.update(extra or {})
    return env


@pytest.fixture
def run_cli() -> RunCli:
    """Run the installed ``llm-resolver`` script in a child process with a clean environment."""

    def run(
        *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CONSOLE_SCRIPT), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=clean_env(env),
            timeout=timeout,
            check=False,
        )

    return run
