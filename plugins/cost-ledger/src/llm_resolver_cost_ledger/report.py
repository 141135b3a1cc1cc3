"""Spend per day, scope and model, read from a ledger file, as a table or CSV."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import astuple, dataclass
from pathlib import Path

COLUMNS = (
    "day",
    "scope",
    "model",
    "calls",
    "errors",
    "cached",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
)


@dataclass(frozen=True)
class Row:
    day: str
    scope: str
    model: str
    calls: int
    errors: int
    cached: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


def read_rows(path: Path, since: str | None = None, scope: str | None = None) -> list[Row]:
    """Rows from ``since`` (a YYYY-MM-DD day, inclusive) on; ``scope`` ``org``, ``org/guild`` or
    ``org/guild/agent`` keeps the scopes that start with those parts."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
    try:
        found = conn.execute(
            "SELECT day, scope, model, COUNT(*), SUM(outcome = 'error'), SUM(outcome = 'cached'), "
            "SUM(prompt_tokens), SUM(completion_tokens), COALESCE(SUM(cost_usd), 0) FROM events "
            "WHERE day >= ? GROUP BY day, scope, model ORDER BY day, scope, model",
            (since or "",),
        ).fetchall()
    finally:
        conn.close()
    rows = [Row(*r) for r in found]
    return [r for r in rows if scope is None or _in_scope(r.scope, scope)]


def _in_scope(scope: str, wanted: str) -> bool:
    parts = wanted.strip("/").split("/")
    return scope.split("/")[: len(parts)] == parts


def table(rows: list[Row]) -> str:
    header = list(COLUMNS)
    body = [[*(str(v) for v in astuple(r)[:-1]), f"{r.cost_usd:.6f}"] for r in rows]
    total = sum(r.cost_usd for r in rows)
    footer = [
        "total",
        "",
        "",
        str(sum(r.calls for r in rows)),
        str(sum(r.errors for r in rows)),
        str(sum(r.cached for r in rows)),
        str(sum(r.prompt_tokens for r in rows)),
        str(sum(r.completion_tokens for r in rows)),
        f"{total:.6f}",
    ]
    grid = [header, *body, footer]
    widths = [max(len(line[i]) for line in grid) for i in range(len(header))]
    numeric = set(COLUMNS[3:])

    def fmt(line: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if name in numeric else cell.ljust(w)
            for cell, w, name in zip(line, widths, header, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in body), rule, fmt(footer)]) + "\n"


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([*astuple(r)[:-1], repr(r.cost_usd)])
    return out.getvalue()
