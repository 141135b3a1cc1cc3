"""``llm-resolver plugins`` and sub-commands that plugins add through ``register_commands``."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import PluginManager, builtin_plugin, hookimpl
from llm_resolver.cli import main


def manager(*plugins: tuple[str, object], env: dict[str, str] | None = None) -> PluginManager:
    pm = PluginManager(env=env or {})
    pm.register(builtin_plugin, "litellm", source="entry point", distribution="llm-resolver")
    for name, plugin in plugins:
        pm.register(plugin, name)
    return pm


class BrokenResolvers:
    @hookimpl
    def register_resolvers(self, register: Callable[[str, type], None]) -> None:
        raise RuntimeError("resolver table is corrupt")


class Greeter:
    @hookimpl
    def register_commands(self, cli: Any) -> None:
        parser = cli.add_parser("greet", help="say hello")
        parser.add_argument("--who", default="world")
        parser.set_defaults(func=self.greet)

    def greet(self, args: argparse.Namespace) -> int:
        print(f"hello, {args.who}")
        return 3


class BrokenCommands:
    @hookimpl
    def register_commands(self, cli: Any) -> None:
        raise ValueError("cannot build my parser")


def today() -> str:
    """Today's date."""
    return "2025-03-01"


class ToolsRaise:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        raise RuntimeError("tool catalogue unreachable")


class ToolTwice(Greeter):
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(today)
        register(today)


class MetersRaise:
    @hookimpl
    def register_cost_meters(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        raise OSError("ledger locked")


class LoadersRaise:
    @hookimpl
    def register_content_loaders(self, register: Callable[[Any], None]) -> None:
        raise ImportError("no codec")


class CacheBackendsRaise:
    @hookimpl
    def register_cache_backends(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        raise ValueError("bad pool size")


REGISTER_FAILURES = [
    (ToolsRaise(), "register_tools failed: RuntimeError: tool catalogue unreachable"),
    (ToolTwice(), "register_tools failed: PluginError: tool 'bad.today' registered twice"),
    (MetersRaise(), "register_cost_meters failed: OSError: ledger locked"),
    (LoadersRaise(), "register_content_loaders failed: ImportError: no codec"),
    (CacheBackendsRaise(), "register_cache_backends failed: ValueError: bad pool size"),
]


def test_lists_the_builtin_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plugins"])

    out = capsys.readouterr().out
    assert code == 0
    header, _rule, *rows = out.splitlines()
    assert header.split() == ["NAME", "STATUS", "SOURCE", "DISTRIBUTION", "REGISTERED", "/", "ERROR"]
    litellm = next(r for r in rows if r.split()[0] == "litellm")
    assert litellm.split() == ["litellm", "ok", "entry", "point", "llm-resolver", "resolvers:", "litellm"]


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plugins", "--json"])

    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    litellm = next(r for r in rows if r["name"] == "litellm")
    assert litellm == {
        "name": "litellm",
        "source": "entry point",
        "distribution": "llm-resolver",
        "hooks": ["register_resolvers"],
        "error": None,
        "runtime_failures": 0,
        "last_runtime_error": None,
        "status": "ok",
        "registered": {"resolvers": ["litellm"]},
    }


def test_a_failed_plugin_is_reported_and_exit_is_0(capsys: pytest.CaptureFixture[str]) -> None:
    pm = manager(("broken", BrokenResolvers()))

    code = main(["plugins"], plugins=pm)

    out = capsys.readouterr().out
    assert code == 0
    broken = next(line for line in out.splitlines() if line.split()[:1] == ["broken"])
    assert broken.split()[1] == "error"
    assert "register_resolvers failed: RuntimeError: resolver table is corrupt" in broken
    assert next(line for line in out.splitlines() if line.split()[:1] == ["litellm"]).split()[1] == "ok"


def test_strict_exits_1_when_a_plugin_failed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins", "--strict"], plugins=manager(("broken", BrokenResolvers()))) == 1
    assert main(["plugins", "--strict"], plugins=manager()) == 0


@pytest.mark.parametrize(("plugin", "error"), REGISTER_FAILURES)
def test_a_plugin_failing_any_register_hook_is_reported_when_it_loads(
    capsys: pytest.CaptureFixture[str], plugin: object, error: str
) -> None:
    pm = manager(("bad", plugin))

    assert main(["plugins", "--strict"], plugins=pm) == 1
    bad = next(line for line in capsys.readouterr().out.splitlines() if line.split()[:1] == ["bad"])
    assert bad.split()[1] == "error"
    assert error in bad


def test_a_plugin_failing_a_register_hook_adds_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["greet"], plugins=manager(("bad", ToolTwice())))

    assert code == 2
    assert "invalid choice: 'greet'" in capsys.readouterr().err


def test_json_report_carries_the_error(capsys: pytest.CaptureFixture[str]) -> None:
    main(["plugins", "--json"], plugins=manager(("broken", BrokenResolvers())))

    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["broken"]["status"] == "error"
    assert "resolver table is corrupt" in rows["broken"]["error"]


def test_plugin_adds_a_sub_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["greet", "--who", "guild"], plugins=manager(("greeter", Greeter())))

    assert code == 3
    assert capsys.readouterr().out == "hello, guild\n"


def test_failing_command_plugin_is_reported_not_fatal(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    pm = manager(("broken_cli", BrokenCommands()), ("greeter", Greeter()))

    with caplog.at_level(logging.WARNING):
        code = main(["greet"], plugins=pm)

    assert code == 3
    assert capsys.readouterr().out == "hello, world\n"
    assert (
        "plugin 'broken_cli' failed in register_commands: ValueError: cannot build my parser" in caplog.text
    )


def test_failing_command_plugin_is_fatal_when_strict(capsys: pytest.CaptureFixture[str]) -> None:
    pm = manager(("broken_cli", BrokenCommands()), env={"LLM_RESOLVER_STRICT_PLUGINS": "1"})

    code = main(["plugins"], plugins=pm)

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("llm-resolver: configuration error: PluginError: plugin 'broken_cli'")
    assert "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    listed = capsys.readouterr().err.split("commands:", 1)[1].split()
    assert {"complete", "models", "plugins", "demo"} <= set(listed)


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
