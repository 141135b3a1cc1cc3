"""The chat loop: read a message (continued over lines that end in a backslash), run a slash command
or stream the answer, and carry on after errors and Ctrl-C until Ctrl-D or ``/exit``."""

from __future__ import annotations

import argparse
import contextlib
import sys

from llm_resolver.cli.chat_commands import Exit, UsageError, run_command
from llm_resolver.cli.chat_session import ChatSession
from llm_resolver.cli.chat_transcript import TranscriptError
from llm_resolver.cli.console import stdout_console
from llm_resolver.cli.errors import report
from llm_resolver.errors import LLMError
from llm_resolver.plugins.manager import PluginManager

PROMPT = "you> "
MORE = "...> "
IDLE_INTERRUPT = "(Ctrl-C clears the line; Ctrl-D or /exit leaves)"


def run_chat(args: argparse.Namespace, plugins: PluginManager | None) -> int:
    console = stdout_console()
    session = ChatSession.start(args, plugins, console)
    if sys.stdin.isatty():
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing, and this session's history on the arrow keys)
    console.print(
        f"chat with {session.label}: /help lists commands, a line ending in \\ continues, Ctrl-D exits",
        style="bold",
        markup=False,
    )
    while True:
        try:
            text = read_message()
        except KeyboardInterrupt:
            console.print(f"\n{IDLE_INTERRUPT}", style="dim", markup=False)
            continue
        except EOFError:
            console.print()
            return 0
        if not text.strip():
            continue
        try:
            if text.startswith("/") and not text.startswith("//"):
                run_command(session, text.strip())
            else:
                session.ask(text[1:] if text.startswith("//") else text)
        except Exit:
            return 0
        except (UsageError, TranscriptError) as error:
            console.print(str(error), style="red", markup=False)
        except LLMError as error:  # a bad /model name or /image path: the session goes on
            sys.stdout.flush()
            report(error, sys.stderr)
        except KeyboardInterrupt:  # while a command ran
            console.print(f"\n{IDLE_INTERRUPT}", style="dim", markup=False)


def read_message() -> str:
    """One message: lines ending in a backslash continue it (the backslash becomes a line break)."""
    lines = [input(PROMPT)]
    while lines[-1].endswith("\\"):
        lines[-1] = lines[-1][:-1]
        lines.append(input(MORE))
    return "\n".join(lines)
