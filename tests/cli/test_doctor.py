"""``llm-resolver doctor`` in a child process: a healthy setup against the provider emulator, and each
kind of problem it must find with its one-line fix."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import PluginManager, builtin_plugin, hookimpl
from llm_resolver.cli import main
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import RunCli
from .test_console_script import write_plugin_distribution

SECRET = "sk-doctor-0123456789abcdefSECRET"


def write_spec(path: Path, dependencies: dict[str, dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps(
            {"dependencies": {n: {"class_name": "litellm", "properties": p} for n, p in dependencies.items()}}
        )
    )
    return path


def problems(stdout: str) -> list[tuple[str, str]]:
    """(problem, fix) pairs from the report's closing list."""
    lines = stdout.split(" found:\n", 1)[1].splitlines()
    return [
        (what.split(". ", 1)[1], fix.strip().removeprefix("fix: "))
        for what, fix in zip(lines[::2], lines[1::2], strict=True)
    ]


def row(stdout: str, *cells: str) -> str:
    """The one table row that holds all of ``cells``."""
    found = [line for line in stdout.splitlines() if all(c in line for c in cells)]
    assert len(found) == 1, (cells, stdout)
    return found[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_healthy_setup(provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path) -> None:
    provider_emulator.script(Reply(text="OK", usage=(12, 1)))
    spec = write_spec(
        tmp_path / "deps.json",
        {"writer": {"model": "openai/gpt-4o-mini", "api_base": provider_emulator.openai_base}},
    )

    done = run_cli("doctor", "--spec", str(spec), env={"OPENAI_API_KEY": SECRET})

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.rstrip().endswith("no problems found")
    assert row(out, "litellm ", "1.").split()[0] == "litellm"  # its version
    assert row(out, "openai ", "OPENAI_API_KEY set")
    assert row(out, "anthropic ", "not set (ANTHROPIC_API_KEY)")
    assert "resolvers: litellm" in row(out, "litellm ", "llm-resolver ", " ok ")
    assert row(out, "writer (primary)", "openai/gpt-4o-mini", "128000", "0.15", "0.6", "vision,tools")
    live = row(out, "writer (primary)", " ok ", " ms ").split()
    assert live[-1] == "$0.0000024"  # 12 tokens in and 1 out at gpt-4o-mini's prices
    body = provider_emulator.requests[-1].body
    assert body is not None
    assert body["max_tokens"] == 5
    assert provider_emulator.request_count() == 1
    assert SECRET not in out + done.stderr
    assert SECRET[:8] not in out + done.stderr


def test_a_missing_key_names_the_variable_to_set(run_cli: RunCli, tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "deps.json", {"judge": {"model": "anthropic/claude-haiku-4-5"}})

    done = run_cli("doctor", "--spec", str(spec))

    assert done.returncode == 1
    ((what, fix),) = problems(done.stdout)
    assert what.startswith("judge: model: no API key for 'anthropic/claude-haiku-4-5'")
    assert fix == "export ANTHROPIC_API_KEY=<your key> (or set api_key in the spec)"


def test_a_broken_plugin_is_reported_with_its_fix(
    provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path
) -> None:
    write_plugin_distribution(tmp_path)
    spec = write_spec(
        tmp_path / "deps.json",
        {"llm": {"model": "openai/gpt-4o-mini", "api_base": provider_emulator.openai_base}},
    )

    done = run_cli(
        "doctor", "--spec", str(spec), "--offline", env={"PYTHONPATH": str(tmp_path), "OPENAI_API_KEY": "x"}
    )

    assert done.returncode == 1
    broken = row(done.stdout, "broken ", "cli-test-plugins")
    assert " error " in broken
    assert "import failed: ImportError: needs a package that is not installed" in broken
    assert "commands: greet" in row(done.stdout, "greeter ", " ok ")  # what it registered
    ((what, fix),) = problems(done.stdout)
    assert what.startswith("plugin 'broken' did not load: import failed: ImportError")
    assert fix == "fix or reinstall cli-test-plugins (pip install -U cli-test-plugins), or uninstall it"
    assert row(done.stdout, "llm (primary)", "openai/gpt-4o-mini", "0.15")  # offline: the catalog only
    assert "live check" not in done.stdout
    assert provider_emulator.request_count() == 0


def test_an_unreachable_model_is_reported_with_its_fix(
    provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/v1"
    properties = {
        "model": "openai/gpt-4o-mini",
        "api_base": provider_emulator.openai_base,
        "fallback_models": [{"model": "openai/gpt-4o", "api_base": dead, "api_key": "x"}],
    }
    spec = write_spec(tmp_path / "deps.json", {"writer": properties})

    done = run_cli("doctor", "--spec", str(spec), env={"OPENAI_API_KEY": "x"})

    assert done.returncode == 1
    assert row(done.stdout, "writer (primary)", " ok ")
    assert "LLMConnectionError" in row(done.stdout, "writer (fallback 1)", "openai/gpt-4o ", " ms ")
    ((what, fix),) = problems(done.stdout)
    assert what.startswith("writer (fallback 1) openai/gpt-4o: LLMConnectionError: ")
    assert fix == f"nothing answered at {dead}: start that server, or fix api_base (or the network)"
    assert provider_emulator.request_count() == 1  # the primary alone: the fallback was tried on its own


class Tools:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        def today() -> str:
            """Today's date."""
            return "2025-03-01"

        register(today)


class Meters:
    @hookimpl
    def register_cost_meters(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        register("tally", dict)


class ToolsRaise:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        raise RuntimeError("tool catalogue unreachable")


def test_each_plugin_shows_what_it_registered_and_no_model_is_a_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pm = PluginManager(env={})
    pm.register(builtin_plugin, "litellm", source="entry point", distribution="llm-resolver")
    for name, plugin in (("kit", Tools()), ("meters", Meters()), ("bad", ToolsRaise())):
        pm.register(plugin, name)

    code = main(["doctor", "--offline"], plugins=pm)

    out = capsys.readouterr().out
    assert code == 1
    assert "tools: kit.today" in row(out, "kit ", " ok ")
    assert "cost meters: tally" in row(out, "meters ", " ok ")
    assert "resolvers: litellm" in row(out, "litellm ", " ok ")
    assert "register_tools failed: RuntimeError: tool catalogue unreachable" in row(out, "bad ", " error ")
    assert problems(out) == [
        (
            "plugin 'bad' did not load: register_tools failed: RuntimeError: tool catalogue unreachable "
            f"({Path(__file__).name}:{ToolsRaise.register_tools.__code__.co_firstlineno + 2})",
            "fix the plugin 'bad', or stop registering it",
        ),
        ("no model is configured", "pass --spec FILE, or set LLM_MODEL (e.g. LLM_MODEL=openai/gpt-4o-mini)"),
    ]


def test_a_spec_file_that_does_not_parse_is_a_problem_not_a_crash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "deps.yaml"
    spec.write_text("dependencies: [\n")
    pm = PluginManager(env={})
    pm.register(builtin_plugin, "litellm", source="entry point", distribution="llm-resolver")

    code = main(["doctor", "--spec", str(spec), "--offline"], plugins=pm)

    out = capsys.readouterr().out
    assert code == 1
    assert "resolvers: litellm" in row(out, "litellm ", " ok ")  # the rest of the report is there
    ((what, fix),) = problems(out)
    assert what.startswith(f"--spec {spec} is not valid YAML (line 2")
    assert fix == "correct what the message names, in the spec or the environment"
