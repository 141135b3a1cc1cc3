"""``llm-resolver serve``: the OpenAI-compatible server for the models a Dependencies spec declares."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llm_resolver.cli.stray_output import answer_stdout
from llm_resolver_openai_server.access import KEYS_VAR, check_bind, parse_keys
from llm_resolver_openai_server.settings import ServerSettings

if TYPE_CHECKING:
    from starlette.types import ASGIApp


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve a spec's LLMs over the OpenAI API",
        description="Serve every dependency in --spec (YAML or JSON, name -> spec) as a model of an "
        f"OpenAI-compatible API. Clients authenticate with a key from ${KEYS_VAR} (comma-separated; "
        "KEY=org/guild holds a key to that scope); "
        "without keys the server binds only to a loopback address.",
    )
    parser.add_argument("--spec", required=True, type=Path, help="the Dependencies file")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--max-scopes-per-key",
        type=int,
        default=ServerSettings.max_scopes_per_key,
        metavar="N",
        help="distinct X-LLM-Scope scopes one key may use; more are refused with 429 "
        f"(default {ServerSettings.max_scopes_per_key})",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=ServerSettings.body_timeout_s,
        metavar="SECONDS",
        help="how long a client may take to send a request body; slower ones get 408 "
        f"(default {ServerSettings.body_timeout_s:g})",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=ServerSettings.max_connections,
        metavar="N",
        help=f"connections served at once; more get 503 (default {ServerSettings.max_connections})",
    )
    parser.add_argument(
        "--max-prompts",
        type=int,
        default=ServerSettings.max_prompts,
        metavar="N",
        help=f"prompts one /v1/completions request may hold (default {ServerSettings.max_prompts})",
    )
    parser.add_argument(
        "--allowed-origin",
        action="append",
        default=[],
        dest="allowed_origins",
        metavar="ORIGIN",
        help="a web origin (https://app.example) whose pages may call the API besides the server's "
        "own, as behind a proxy that rewrites Host; repeat for more",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Here, not at the top: every llm-resolver command builds this parser, only serve needs FastAPI.
    from llm_resolver_openai_server.app import create_app

    keys = parse_keys(os.environ.get(KEYS_VAR, ""))
    check_bind(args.host, keys)
    settings = ServerSettings(
        api_keys=keys,
        max_scopes_per_key=args.max_scopes_per_key,
        body_timeout_s=args.body_timeout,
        max_connections=args.max_connections,
        max_prompts=args.max_prompts,
        allowed_origins=tuple(args.allowed_origins),
    )
    from llm_resolver import Dependencies  # the config models: not for building the parser (--help)

    loader = Dependencies.from_json if args.spec.suffix == ".json" else Dependencies.from_yaml
    deps = loader(args.spec)
    app = create_app(deps, settings)
    names = ", ".join(sorted(deps.specs))
    with answer_stdout() as out:  # LiteLLM's error banner must not fill the server's stdout

        def listening(port: int) -> None:
            """Called once the server can answer: a supervisor reading this line may send requests."""
            out.write(f"serving {names} on http://{args.host}:{port}/v1\n")
            out.flush()

        try:
            asyncio.run(_serve_until_terminated(app, args.host, args.port, listening))
        finally:
            # The process exits next: collecting LiteLLM's heap at interpreter exit takes seconds on a
            # busy machine, and the OS frees it anyway. Frozen objects are left out of that collection.
            gc.freeze()
    return 0


async def _serve_until_terminated(
    app: ASGIApp, host: str, port: int, listening: Callable[[int], None]
) -> None:
    """SIGTERM (a supervisor stopping us) ends the server cleanly with 0; Ctrl-C is left to
    ``asyncio.run``, which cancels the server and raises KeyboardInterrupt: "interrupted", 130."""
    from llm_resolver_openai_server.running import serve

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await serve(app, host, port, stop, listening)
