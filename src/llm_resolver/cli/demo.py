"""``llm-resolver demo``: a small host framework injecting an LLM into its handlers, end to end."""

from __future__ import annotations

import argparse
from typing import Any

from llm_resolver.cli.stray_output import answer_stdout


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="run three injected handlers (sync, async, streaming) end to end",
        description="A small host framework loads its guild spec, injects the LLM into a sync, an async "
        "and a streaming handler, and prints each answer with usage and cost. It runs on an embedded "
        "provider emulator (with a scripted outage to show fallback) unless LLM_MODEL and that "
        "provider's key (e.g. OPENAI_API_KEY) are set.",
    )
    parser.add_argument(
        "--emulator", action="store_true", help="use the embedded emulator even if a real provider is set"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from llm_resolver.demo import run_demo

    with answer_stdout() as out:
        return run_demo(out, force_emulator=args.emulator)
