"""``llm-resolver emulator``: the provider emulator in the foreground, so every command can be tried
offline. Only the parser and the address check live here; the server is imported when it starts."""

from __future__ import annotations

import argparse
from typing import Any

from llm_resolver import SpecError
from llm_resolver.addresses import is_loopback


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "emulator",
        help="run a local provider emulator to try every command offline",
        description="Serve the OpenAI, Anthropic and Gemini wire formats on this machine, answering "
        "each chat with an echo of its last user message (with usage, so costs show), and print the "
        "api_base of each, a spec to paste, and commands to try. Any API key is accepted. Ctrl-C stops it.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=0, help="port to bind (default 0: a free one, printed at start)"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than a loopback address (the emulator has no authentication)",
    )
    parser.add_argument(
        "--chunk-delay",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="pause between streamed chunks, to watch an answer stream (default 0)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print a line per request received")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_host(args.host, allow_remote=args.allow_remote)
    from llm_resolver.cli.emulator_run import serve

    return serve(args.host, args.port, chunk_delay=args.chunk_delay, quiet=args.quiet)


def check_host(host: str, *, allow_remote: bool) -> None:
    """Anyone who reaches the emulator may use it: only this machine, unless asked otherwise."""
    if not allow_remote and not is_loopback(host):
        raise SpecError(
            f"--host {host} is not a loopback address, and the emulator answers anyone who reaches it; "
            "bind 127.0.0.1, or pass --allow-remote if you mean it"
        )


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0 picks a free one)")
    return port


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 60:
        raise argparse.ArgumentTypeError(f"{text!r} is not a delay in seconds (0-60)")
    return seconds
