"""The ``doctor`` report: why a setup does (not) work, with a one-line fix for each problem found.

Reads versions, provider keys (names only) and plugins from the process, the models from ``--spec`` (or
the environment), and unless ``--offline`` sends one tiny request to each model.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from llm_resolver import PluginManager
from llm_resolver.cli.doctor_env import Problem, plugin_rows, provider_keys, versions
from llm_resolver.cli.doctor_models import (
    ModelCheck,
    ProbeResult,
    configured_specs,
    model_checks,
    probe,
    probe_problem,
)
from llm_resolver.cli.errors import EXIT_CALL_FAILED
from llm_resolver.cli.models_cmd import capabilities, number, price
from llm_resolver.cli.stray_output import answer_stdout
from llm_resolver.readout import format_cost

_PIPED_WIDTH = 200


def run_doctor(args: argparse.Namespace, *, plugins: PluginManager) -> int:
    problems: list[Problem] = []
    with answer_stdout() as out:
        # Piped or redirected, rows stay whole on one line each rather than wrapped to 80 columns.
        console = Console(file=out, highlight=False, width=None if out.isatty() else _PIPED_WIDTH)
        package_rows, found = versions(plugins)
        problems += found
        console.print(_table("versions", ("package", "version"), package_rows))
        console.print(_table("provider keys", ("provider", "key"), provider_keys()))
        rows, found = plugin_rows(plugins)
        problems += found
        console.print(
            _table(
                "plugins",
                ("plugin", "distribution", "status", "registered / error"),
                [(r.name, r.distribution, "ok" if r.ok else "error", r.detail) for r in rows],
            )
        )
        specs, found = configured_specs(args.spec)
        problems += found
        checks, found = model_checks(specs, plugins)
        problems += found
        if checks:
            console.print(_models_table(checks))
        if checks and not args.offline:
            results = [probe(check) for check in checks]
            console.print(_probe_table(results))
            problems += [p for p in map(probe_problem, results) if p is not None]
        _print_problems(console, problems)
    return EXIT_CALL_FAILED if problems else 0


def _table(title: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> Table:
    table = Table(*columns, title=title, title_justify="left", box=box.SIMPLE)
    for row in rows:
        table.add_row(*row)
    return table


def _models_table(checks: list[ModelCheck]) -> Table:
    columns = ("dependency", "model", "context", "max out", "$/M in", "$/M out", "capabilities")
    return _table(
        "models",
        columns,
        [
            (
                f"{c.dependency} ({c.role})",
                c.info.model,
                number(c.info.max_input_tokens),
                number(c.info.max_output_tokens),
                price(c.info.input_cost_per_token),
                price(c.info.output_cost_per_token),
                capabilities(c.info),
            )
            for c in checks
        ],
    )


def _probe_table(results: list[ProbeResult]) -> Table:
    return _table(
        "live check (one tiny request each)",
        ("dependency", "model", "result", "latency", "cost"),
        [
            (
                f"{r.check.dependency} ({r.check.role})",
                r.check.info.model,
                "ok" if r.error is None else type(r.error).__name__,
                f"{r.latency_s * 1000:.0f} ms",
                format_cost(r.cost_usd) if r.error is None else "-",
            )
            for r in results
        ],
    )


def _print_problems(console: Console, problems: list[Problem]) -> None:
    if not problems:
        console.print("no problems found")
        return
    console.print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found:")
    for n, problem in enumerate(problems, start=1):
        console.print(f"  {n}. {problem.what}", soft_wrap=True)
        console.print(f"     fix: {problem.fix}", soft_wrap=True)
