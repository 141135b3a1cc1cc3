"""``llm-resolver plugins``: what loaded, from where, with which hooks, and what failed and why."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import sys
from typing import Any

from llm_resolver.plugins.manager import PluginManager
from llm_resolver.plugins.status import PluginStatus


def add_parser(commands: Any, plugins: PluginManager) -> None:
    parser = commands.add_parser(
        "plugins",
        help="list plugins and whether they loaded",
        description="List every plugin: name, source, distribution, hooks, and ok or the error that "
        "made it skip. Exits 0 even when a plugin failed, unless --strict.",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any plugin failed")
    parser.set_defaults(func=functools.partial(run, plugins=plugins))


def run(args: argparse.Namespace, *, plugins: PluginManager) -> int:
    statuses = plugins.statuses
    if args.json:
        rows = [{**dataclasses.asdict(s), "status": _state(s)} for s in statuses]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif not statuses:
        sys.stdout.write("no plugins loaded\n")
    else:
        sys.stdout.writelines(line + "\n" for line in _table(statuses))
    return 1 if args.strict and not all(s.ok for s in statuses) else 0


def _state(status: PluginStatus) -> str:
    return "ok" if status.ok else "error"


def _table(statuses: list[PluginStatus]) -> list[str]:
    """Aligned columns; the last one holds the hooks of a plugin that loaded, or why one did not."""
    rows = [("NAME", "STATUS", "SOURCE", "DISTRIBUTION", "HOOKS / ERROR")]
    rows += [
        (
            s.name,
            _state(s),
            s.source,
            s.distribution or "-",
            (", ".join(s.hooks) or "-") if s.ok else s.error or "",
        )
        for s in statuses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[4]]) for row in rows
    ]
