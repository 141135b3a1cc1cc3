"""``llm-resolver costs``: spend per day, scope and model from the ledger, as a table or CSV."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from llm_resolver_cost_ledger.paths import LEDGER_VAR, default_ledger_path
from llm_resolver_cost_ledger.report import read_rows, table, to_csv

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "costs",
        help="spend per day, scope and model from the cost ledger",
        description=f"Show what the cost ledger recorded. The ledger is --ledger, else ${LEDGER_VAR}, "
        "else ledger.sqlite3 in the user's data directory.",
    )
    parser.add_argument("--ledger", type=Path, help="the ledger file")
    parser.add_argument("--since", help="first day to include: YYYY-MM-DD, or Nd for the last N days")
    parser.add_argument("--scope", help="org, org/guild or org/guild/agent; keeps scopes starting with it")
    parser.add_argument("--csv", action="store_true", help="write CSV (no total line) instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.ledger or default_ledger_path()
    try:
        since = parse_since(args.since)
    except ValueError as exc:
        sys.stderr.write(f"llm-resolver costs: {exc}\n")
        return EXIT_USAGE
    if not path.is_file():
        sys.stderr.write(
            f"llm-resolver costs: no ledger at {path}; add 'ledger' to cost_meters to start one, or "
            f"point --ledger or {LEDGER_VAR} at an existing file\n"
        )
        return EXIT_FAILED
    try:
        rows = read_rows(path, since, args.scope)
    except sqlite3.Error as exc:
        sys.stderr.write(f"llm-resolver costs: cannot read the ledger at {path}: {exc}\n")
        return EXIT_FAILED
    sys.stdout.write(to_csv(rows) if args.csv else table(rows))
    return EXIT_OK


def parse_since(text: str | None, today: datetime | None = None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if text.endswith("d") and text[:-1].isdigit():
        start = (today or datetime.now(UTC)) - timedelta(days=int(text[:-1]))
        return start.strftime("%Y-%m-%d")
    try:
        return datetime.strptime(text, "%Y-%m-%d").strftime("%Y-%m-%d")
    except ValueError:
        raise ValueError(f"--since takes YYYY-MM-DD or Nd (for example 7d), not {text!r}") from None
