"""``llm-resolver chat``: an interactive, streaming conversation with a resolved LLM.

Only the parser lives here: every command's parser is built on each start, and the loop's imports
(rich among them) are paid only by ``chat`` itself.
"""

from __future__ import annotations

import argparse
import functools
import textwrap
from typing import TYPE_CHECKING, Any

from llm_resolver.cli.llm_options import add_llm_arguments

if TYPE_CHECKING:
    from llm_resolver import PluginManager

_WIDTH = 78  # the help's own layout is kept as written (the table), so its prose is wrapped here
# Each slash command's usage and what it does: the --help epilog and /help are both made from it.
COMMAND_HELP: dict[str, tuple[str, str]] = {
    "model": ("[NAME]", "switch to a --spec dependency or a model string (history is kept)"),
    "system": ("[TEXT]", "set the system message; without TEXT, remove it"),
    "image": ("PATH", "attach an image (or a file a content loader reads) to your next message"),
    "save": ("FILE", "write the conversation as a JSON list of messages"),
    "load": ("FILE", "replace the conversation with one saved by /save"),
    "cost": ("", "this session's usage and spend per model"),
    "attempts": ("", "the last reply's attempts: retries and fallbacks"),
    "help": ("", "this list"),
    "exit": ("", "leave (as Ctrl-D does)"),
}
INPUT_HELP = (
    "End a line with \\ to continue the message on the next line; start a message with // to send one "
    "that begins with /. Ctrl-C stops an answer (the part shown is kept) or clears the line; Ctrl-D exits."
)


def command_usage(name: str) -> str:
    usage = COMMAND_HELP[name][0]
    return f"/{name} {usage}" if usage else f"/{name}"


def _epilog() -> str:
    width = max(len(command_usage(name)) for name in COMMAND_HELP)
    rows = [f"  {command_usage(name):<{width}}  {text}" for name, (_, text) in COMMAND_HELP.items()]
    return "\n".join(["in the chat:", *rows, "", textwrap.fill(INPUT_HELP, _WIDTH)])


def add_parser(commands: Any, plugins: PluginManager | None) -> None:
    parser = commands.add_parser(
        "chat",
        help="talk to an LLM interactively, answers streamed",
        description=textwrap.fill(
            "An interactive conversation: each answer streams as it arrives, followed by its model, "
            "tokens, cost and attempts. The model comes from --model, --spec, or LLM_MODEL.",
            _WIDTH,
        ),
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_llm_arguments(parser)
    parser.set_defaults(func=functools.partial(run, plugins=plugins))


def run(args: argparse.Namespace, *, plugins: PluginManager | None) -> int:
    from llm_resolver.cli.chat_repl import run_chat

    return run_chat(args, plugins)
