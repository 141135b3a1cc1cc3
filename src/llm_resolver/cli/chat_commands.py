"""The chat's slash commands: ``/help`` and each command's one-line description come from one table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich import box
from rich.table import Table

from llm_resolver import ImagePart
from llm_resolver.cli.chat import COMMAND_HELP, INPUT_HELP, command_usage
from llm_resolver.cli.chat_session import ChatSession
from llm_resolver.cli.chat_tally import attempts_table
from llm_resolver.cli.chat_transcript import load, save

Handler = Callable[[ChatSession, str], None]


class UsageError(Exception):
    """A slash command used wrongly; the message says how to use it."""


class Exit(Exception):
    """``/exit``: leave the session as Ctrl-D does."""


def _model(session: ChatSession, arg: str) -> None:
    if arg:
        session.switch(arg)
    session.console.print(f"model: {session.label}", markup=False)


def _system(session: ChatSession, arg: str) -> None:
    session.set_system(arg)
    shown = "system message set" if arg else "system message removed"
    session.console.print(shown, style="dim", markup=False)


def _image(session: ChatSession, arg: str) -> None:
    if not arg:
        raise UsageError("/image needs a path, e.g. /image ~/photo.png")
    for part in session.attach(arg):
        kind = part.media_type if isinstance(part, ImagePart) else "for a content loader"
        session.console.print(f"attached {arg} ({kind}) to your next message", style="dim", markup=False)


def _save(session: ChatSession, arg: str) -> None:
    path = _path(arg, "/save")
    save(path, session.messages)
    session.console.print(f"saved {len(session.messages)} messages to {path}", style="dim", markup=False)


def _load(session: ChatSession, arg: str) -> None:
    path = _path(arg, "/load")
    session.messages = load(path)
    session.console.print(f"loaded {len(session.messages)} messages from {path}", style="dim", markup=False)


def _cost(session: ChatSession, arg: str) -> None:
    if not session.tally.by_model and not session.tally.stopped:
        session.console.print("nothing spent yet: no reply in this session", style="dim")
        return
    session.console.print(session.tally.table())


def _attempts(session: ChatSession, arg: str) -> None:
    last = session.last
    if last is None:
        session.console.print("no finished reply yet (a stopped answer reports no attempts)", style="dim")
        return
    title = "the last failure's attempts" if last.failed else "the last reply's attempts"
    session.console.print(attempts_table(last.attempts, title))


def _help(session: ChatSession, arg: str) -> None:
    table = Table(box=box.SIMPLE, show_header=False, padding=(0, 1))
    table.add_column(style="bold")
    table.add_column()
    for name, (_, text) in COMMAND_HELP.items():
        table.add_row(command_usage(name), text)
    session.console.print(table)
    session.console.print(INPUT_HELP, markup=False)


def _exit(session: ChatSession, arg: str) -> None:
    raise Exit


def _path(arg: str, command: str) -> Path:
    if not arg:
        raise UsageError(f"{command} needs a file name, e.g. {command} chat.json")
    return Path(arg).expanduser()


HANDLERS: dict[str, Handler] = {
    "model": _model,
    "system": _system,
    "image": _image,
    "save": _save,
    "load": _load,
    "cost": _cost,
    "attempts": _attempts,
    "help": _help,
    "exit": _exit,
}


def run_command(session: ChatSession, line: str) -> None:
    """Run ``/name arg``; raises ``UsageError`` for an unknown command or a wrong use."""
    name, _, arg = line[1:].partition(" ")
    handler = HANDLERS.get(name.lower())
    if handler is None:
        raise UsageError(f"unknown command /{name}; /help lists them")
    handler(session, arg.strip())
