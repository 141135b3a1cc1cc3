"""``llm-resolver models``: which models a provider offers, with limits, prices and capabilities.

Each listing says where it came from (cache, the provider's endpoint, or LiteLLM's bundled map) on
stderr, so stdout holds only the table or the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when the command runs, so building the parser (--help) stays cheap
    from llm_resolver.catalog.listing import ModelListing
    from llm_resolver.types.responses import ModelInfo

DEFAULT_PROVIDERS = ("openai", "anthropic", "gemini")
_PER_MILLION = 1_000_000


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "models",
        help="list a provider's models",
        description="List the models of a provider (default: openai, anthropic and gemini): asked from "
        "its listing endpoint when a key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY) or "
        "--api-base is given, otherwise from LiteLLM's bundled model map.",
    )
    parser.add_argument("--provider", help="e.g. openai, anthropic, gemini, or any LiteLLM provider")
    parser.add_argument("--api-base", help="listing endpoint base URL, e.g. http://localhost:8000/v1")
    parser.add_argument("--timeout", type=float, help="seconds to wait for the endpoint (default: 3)")
    parser.add_argument("--json", action="store_true", help="print the listings as JSON")
    parser.set_defaults(func=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    if args.api_base and not args.provider:
        args.parser.error("--api-base needs --provider (the endpoint's wire format)")
    from llm_resolver.catalog.listing import DEFAULT_TIMEOUT, list_models

    providers = [args.provider] if args.provider else list(DEFAULT_PROVIDERS)
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    listings = [list_models(p, api_base=args.api_base, timeout=timeout) for p in providers]
    for listing in listings:
        sys.stderr.write(_origin(listing) + "\n")
    if args.json:
        sys.stdout.write(json.dumps([item.model_dump(mode="json") for item in listings], indent=2) + "\n")
    else:
        sys.stdout.writelines(line + "\n" for line in _table([m for item in listings for m in item.models]))
    return 0


def _origin(listing: ModelListing) -> str:
    where = {
        "endpoint": f"from {listing.api_base}",
        "cache": f"cached {listing.age_s:.0f}s ago from {listing.api_base}",
        "bundled": "from LiteLLM's bundled model map",
    }[listing.source]
    line = f"{listing.provider}: {len(listing.models)} models {where}"
    return f"{line} ({listing.error})" if listing.error else line


def _table(models: list[ModelInfo]) -> list[str]:
    rows = [("MODEL", "CONTEXT", "MAX OUT", "$/M IN", "$/M OUT", "CAPABILITIES")]
    rows += [
        (
            m.model,
            number(m.max_input_tokens),
            number(m.max_output_tokens),
            price(m.input_cost_per_token),
            price(m.output_cost_per_token),
            capabilities(m),
        )
        for m in models
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return ["  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[5]]) for row in rows]


def number(value: int | None) -> str:
    return "-" if value is None else str(value)


def price(per_token: float | None) -> str:
    return "-" if per_token is None else f"{per_token * _PER_MILLION:g}"


def capabilities(m: ModelInfo) -> str:
    flags = {"vision": m.supports_vision, "tools": m.supports_tools, "schema": m.supports_response_schema}
    return ",".join(name for name, on in flags.items() if on) or "-"
