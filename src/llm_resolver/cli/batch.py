"""``llm-resolver batch IN.jsonl OUT.jsonl``: the command's options; the run itself (``batch_run``) is
imported only when the command runs, so ``--help`` does not load it."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from llm_resolver import Scope
from llm_resolver.plugins.manager import PluginManager

DEFAULT_CONCURRENCY = 8


def add_parser(commands: Any, plugins: PluginManager | None) -> None:
    parser = commands.add_parser(
        "batch",
        help="run a JSONL file of prompts concurrently, resumably",
        description="Send each line of IN (a JSON object with an id and a prompt, or messages and request "
        "options) to an LLM, at most --concurrency at a time, appending one JSON result line per id to OUT "
        "as calls finish. Ids already in OUT are skipped, so running the same command again resumes. "
        "Exits 1 if any line failed or was skipped, 130 when interrupted.",
    )
    parser.add_argument("input", metavar="IN.jsonl", help="prompts, one JSON object a line")
    parser.add_argument("output", metavar="OUT.jsonl", help="results are appended here (created if missing)")
    parser.add_argument(
        "--concurrency", type=_positive, default=DEFAULT_CONCURRENCY, metavar="N",
        help=f"calls in flight at once (default: {DEFAULT_CONCURRENCY})",
    )  # fmt: skip
    parser.add_argument("--model", help="e.g. openai/gpt-4o-mini (overrides the spec's model)")
    parser.add_argument("--spec", metavar="FILE", help="YAML/JSON: a DependencySpec or a name -> spec map")
    parser.add_argument(
        "--name", default="llm", help="which dependency of a --spec map to use (default: llm)"
    )
    parser.add_argument("--api-base", help="provider endpoint URL (overrides the spec's api_base)")
    parser.set_defaults(func=functools.partial(run, plugins=plugins, parser=parser), scope=Scope())


def run(args: argparse.Namespace, *, plugins: PluginManager | None, parser: argparse.ArgumentParser) -> int:
    from llm_resolver.cli.batch_run import run_batch

    return run_batch(args, plugins=plugins, parser=parser)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value
