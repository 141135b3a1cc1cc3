"""``llm-resolver doctor``: the command's options; the report (``doctor_report``) is imported only when
the command runs, so ``--help`` does not load it."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from llm_resolver.plugins.manager import PluginManager


def add_parser(commands: Any, plugins: PluginManager) -> None:
    parser = commands.add_parser(
        "doctor",
        help="check the setup: versions, keys, plugins, models",
        description="Report Python and package versions, which provider keys are set (names only), each "
        "plugin and what it registered, the configured models with capabilities and prices, and (unless "
        "--offline) one tiny real request per model with its latency and cost. Exits 1 with a one-line "
        "fix for each problem found.",
    )
    parser.add_argument("--spec", metavar="FILE", help="YAML/JSON: a DependencySpec or a name -> spec map")
    parser.add_argument("--offline", action="store_true", help="send no request")
    parser.set_defaults(func=functools.partial(run, plugins=plugins))


def run(args: argparse.Namespace, *, plugins: PluginManager) -> int:
    from llm_resolver.cli.doctor_report import run_doctor

    return run_doctor(args, plugins=plugins)
