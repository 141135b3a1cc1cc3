"""What start-up costs: loading every installed plugin (the in-repo ones included) and building the
CLI imports none of the heavy libraries those plugins use. Timing is ``benchmarks/cli_startup.py``."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import clean_env


def fresh_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a new interpreter (``args`` in its ``sys.argv[1:]``), without the caller's settings."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )


HEAVY = ("numpy", "PIL", "aiohttp", "redis", "pypdfium2", "opentelemetry")
IN_REPO = {"calc", "clock", "files", "ledger", "openai_server", "otel", "redis_cache", "vision"}

LOAD_ALL = """
import json, sys
from llm_resolver.cli.parser import build_parser
from llm_resolver.plugins.default import default_plugin_manager

manager = default_plugin_manager()
build_parser(manager)  # runs every plugin's register_commands, as `llm-resolver --help` does
heavy = sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[1:])
print(json.dumps({"statuses": {s.name: s.error for s in manager.statuses}, "heavy": heavy}))
"""


def test_loading_every_plugin_and_the_cli_imports_no_heavy_library() -> None:
    done = fresh_python(LOAD_ALL, *HEAVY)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["statuses"]) >= IN_REPO, "the in-repo plugins must be installed (scripts/bootstrap)"
    assert {name: error for name, error in report["statuses"].items() if error} == {}
    assert report["heavy"] == []


RESOLVE = """
import json, sys
from llm_resolver import DependencySpec

spec = DependencySpec(class_name="litellm", properties={"model": "openai/gpt-4o-mini", "api_key": "sk-x"})
spec.to_resolver().get_or_resolve()
print(json.dumps(sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[1:])))))
"""


def test_resolving_a_spec_imports_no_part_of_a_plugin_it_does_not_use() -> None:
    """Every plugin's register hooks run at the first resolve (so a broken one is reported then), but
    the heavy parts of what they register are imported only when a config names it."""
    # aiohttp is left out: LiteLLM, imported in the background from the resolve on, imports it
    unused = ["numpy", "PIL", "redis", "pypdfium2", "opentelemetry", "fastapi", "llm_resolver.tool_loop"]
    unused += ["llm_resolver_otel.meter", "llm_resolver_openai_server.app"]
    done = fresh_python(RESOLVE, *unused)

    assert done.returncode == 0, done.stderr
    imported = json.loads(done.stdout)
    assert imported == []


HELP = """
import contextlib, io, json, sys
from llm_resolver.cli import main

with contextlib.redirect_stdout(io.StringIO()):
    main(["--help"])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[1:])))
"""


def test_help_imports_no_pydantic_fastapi_or_litellm() -> None:
    """``llm-resolver --help`` builds every command's parser (plugins' too) and nothing else: the
    config models, the server's web framework and LiteLLM are imported only by the command that runs."""
    done = fresh_python(HELP, "pydantic", "fastapi", "starlette", "litellm", *HEAVY)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
