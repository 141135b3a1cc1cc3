"""The chat loop: read a message (continued over lines that end in a backslash), run a slash command
or stream the answer, and carry on after errors and Ctrl-C until Ctrl-D or ``/exit``."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys

from pydantic import ValidationError

from llm_resolver import LLMError, PluginManager
from llm_resolver.cli.chat_commands import Exit, UsageError, run_command
from llm_resolver.cli.chat_session import ChatSession
from llm_resolver.cli.chat_transcript import TranscriptError
from llm_resolver.cli.console import stdout_console
from llm_resolver.cli.errors import report

PROMPT = "you> "
MORE = "...> "
IDLE_INTERRUPT = "(Ctrl-C clears the line; Ctrl-D or /exit leaves)"


def run_chat(args: argparse.Namespace, plugins: PluginManager | None) -> int:
    console = stdout_console()
    session = ChatSession.start(args, plugins, console)
    if isinstance(sys.stdin, io.TextIOWrapper):
        # A line that is not UTF-8 is then refused on its own (as unsendable text), instead of the
        # decoding error discarding the rest of piped input with it.
        sys.stdin.reconfigure(errors="surrogateescape")
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
            if text.startswith("/") and not text.startswith("//"):
                run_command(session, text.strip())
            elif text.strip():
                session.ask(text[1:] if text.startswith("//") else text)
        except EOFError:
            console.print()
            return 0
        except Exit:
            return 0
        except KeyboardInterrupt:  # at the prompt, or while a command ran
            console.print(f"\n{IDLE_INTERRUPT}", style="dim", markup=False)
        except LLMError as error:  # a bad /model name or /image path: the session goes on
            sys.stdout.flush()
            report(error, sys.stderr)
        except (UsageError, TranscriptError, ValueError) as error:
            console.print(one_line(error), style="red", markup=False)


def read_message() -> str:
    """One message: lines ending in a backslash continue it (the backslash becomes a line break)."""
    lines = [input(PROMPT)]
    while lines[-1].endswith("\\"):
        lines[-1] = lines[-1][:-1]
        lines.append(input(MORE))
    return "\n".join(lines)


def one_line(error: Exception) -> str:
    """A usage error's text, or what makes typed text unsendable (a NUL, bytes that were not UTF-8)."""
    if isinstance(error, ValidationError):
        return f"cannot send that: {error.errors()[0]['msg']}"
    return " ".join(str(error).split())
