"""``llm-resolver plugins`` shows what each plugin registered, not only which hooks it implements."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import CallContext, ChatRequest, PluginManager, builtin_plugin, hookimpl
from llm_resolver.cli import main

from .conftest import RunCli


def echo(text: str) -> str:
    """Say it back."""
    return text


class _Loader:
    name = "tiff"

    def accepts(self, source: object) -> bool:
        return False

    def load(self, source: object, context: Any) -> list[Any]:
        return []


class EverythingPlugin:
    """One plugin using every kind of registration, and an observer hook."""

    @hookimpl
    def register_resolvers(self, register: Callable[[str, type], None]) -> None:
        register("house", dict)

    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(echo)
        register(echo, name="shout")

    @hookimpl
    def register_cost_meters(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        register("tally", dict)

    @hookimpl
    def register_content_loaders(self, register: Callable[[Any], None]) -> None:
        register(_Loader())

    @hookimpl
    def register_cache_backends(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        register("shelf", dict)

    @hookimpl
    def register_commands(self, cli: Any) -> None:
        cli.add_parser("hello")
        cli.add_parser("bye")

    @hookimpl
    def before_request(self, request: ChatRequest, context: CallContext) -> None:
        return None


class BrokenTools(EverythingPlugin):
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        raise RuntimeError("tool catalogue unreachable")


def manager(*plugins: tuple[str, object]) -> PluginManager:
    pm = PluginManager(env={})
    pm.register(builtin_plugin, "litellm", source="entry point", distribution="llm-resolver")
    for name, plugin in plugins:
        pm.register(plugin, name)
    return pm


def test_every_kind_of_registration_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins", "--json"], plugins=manager(("everything", EverythingPlugin()))) == 0

    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["everything"]["registered"] == {
        "resolvers": ["house"],
        "tools": ["everything.echo", "everything.shout"],
        "cost meters": ["tally"],
        "content loaders": ["everything.tiff"],
        "cache backends": ["shelf"],
        "commands": ["bye", "hello"],
        "hooks": ["before_request"],
    }
    assert rows["litellm"]["registered"] == {"resolvers": ["litellm"]}


def test_the_table_lists_registrations_by_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"], plugins=manager(("everything", EverythingPlugin()))) == 0

    out = capsys.readouterr().out
    for line in (
        "resolvers: house",
        "tools: everything.echo, everything.shout",
        "cost meters: tally",
        "content loaders: everything.tiff",
        "cache backends: shelf",
        "commands: bye, hello",
        "hooks: before_request",
    ):
        assert line in out


def test_a_plugin_that_failed_lists_nothing_but_its_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins", "--json"], plugins=manager(("broken", BrokenTools()))) == 0

    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["broken"]["status"] == "error"
    assert rows["broken"]["registered"] == {}
    assert "register_tools failed: RuntimeError: tool catalogue unreachable" in rows["broken"]["error"]


def test_in_repo_plugins_show_their_tools_meters_loaders_and_commands(run_cli: RunCli) -> None:
    report = run_cli("plugins", "--json")
    table = run_cli("plugins")

    assert report.returncode == 0, report.stderr
    registered = {r["name"]: r["registered"] for r in json.loads(report.stdout)}
    assert registered["calc"] == {"tools": ["calc.evaluate"]}
    assert registered["clock"] == {"tools": ["clock.now", "clock.convert"]}
    assert registered["files"] == {"tools": ["files.read", "files.list"]}
    assert registered["ledger"] == {"cost meters": ["ledger"], "commands": ["costs"]}
    assert registered["openai_server"] == {"commands": ["serve"]}
    assert registered["vision"]["content loaders"] == ["vision.pil", "vision.numpy", "vision.pdf"]
    rows = {line.split()[0]: line for line in table.stdout.splitlines() if line.strip()}
    assert "tools: calc.evaluate" in rows["calc"]
    assert "tools: files.read, files.list" in rows["files"]
