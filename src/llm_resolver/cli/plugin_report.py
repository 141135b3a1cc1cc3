"""``llm-resolver plugins``: what loaded, from where, what each registered (resolvers, tools, meters,
loaders, cache backends, commands, other hooks), and what failed and why."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import sys
from typing import TYPE_CHECKING, Any

from llm_resolver.plugins.manager import PluginManager
from llm_resolver.plugins.status import PluginStatus

if TYPE_CHECKING:
    from rich.table import Table  # imported when a table is printed: every command builds this parser

# What each register_* hook fills, as the report names it; any other hook a plugin implements is
# listed under "hooks".
KINDS = {
    "register_resolvers": "resolvers",
    "register_tools": "tools",
    "register_cost_meters": "cost meters",
    "register_content_loaders": "content loaders",
    "register_cache_backends": "cache backends",
    "register_commands": "commands",
}


def add_parser(commands: Any, plugins: PluginManager) -> None:
    parser = commands.add_parser(
        "plugins",
        help="list plugins, what each registered, and whether it loaded",
        description="List every plugin: name, status, source, distribution, and what it registered "
        "(resolvers, tools, cost meters, content loaders, cache backends, commands, other hooks), or "
        "the error that made it skip. Exits 0 even when a plugin failed, unless --strict.",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any plugin failed")
    parser.set_defaults(func=functools.partial(run, plugins=plugins))


def run(args: argparse.Namespace, *, plugins: PluginManager) -> int:
    statuses = plugins.statuses
    by_plugin = plugins.registrations()
    registered = {s.name: registrations(s, by_plugin.get(s.name, {})) for s in statuses}
    if args.json:
        rows = [
            {**dataclasses.asdict(s), "status": _state(s), "registered": registered[s.name]} for s in statuses
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif not statuses:
        sys.stdout.write("no plugins loaded\n")
    else:
        from llm_resolver.cli.console import stdout_console

        stdout_console().print(_table(statuses, registered))
    return 1 if args.strict and not all(s.ok for s in statuses) else 0


def registrations(status: PluginStatus, by_hook: dict[str, list[str]]) -> dict[str, list[str]]:
    """What the plugin registered by kind (``KINDS``), and its other hooks; empty when it failed."""
    if not status.ok:
        return {}
    found = {KINDS[hook]: names for hook, names in sorted(by_hook.items(), key=lambda i: _order(i[0]))}
    hooks = [hook for hook in status.hooks if hook not in KINDS]
    if hooks:
        found["hooks"] = hooks
    return found


def _order(hook: str) -> int:
    return list(KINDS).index(hook)


def _state(status: PluginStatus) -> str:
    return "ok" if status.ok else "error"


def _table(statuses: list[PluginStatus], registered: dict[str, dict[str, list[str]]]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for heading in ("NAME", "STATUS", "SOURCE", "DISTRIBUTION", "REGISTERED / ERROR"):
        table.add_column(heading, overflow="fold")
    for s in statuses:
        if s.ok:
            lines = [f"{kind}: {', '.join(names)}" for kind, names in registered[s.name].items()]
            detail = "\n".join(lines) or "-"
        else:
            detail = s.error or ""
        table.add_row(
            s.name,
            _state(s),
            s.source,
            s.distribution or "-",
            detail,
            style=None if s.ok else "red",
        )
    return table
