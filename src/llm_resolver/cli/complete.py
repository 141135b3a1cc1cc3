"""``llm-resolver complete``: one prompt through a resolved LLM, streamed to stdout as it arrives."""

from __future__ import annotations

import argparse
import functools
import sys
from typing import TYPE_CHECKING, Any, TextIO

from llm_resolver.cli.llm_options import add_llm_arguments
from llm_resolver.cli.stray_output import answer_stdout, end_line

if TYPE_CHECKING:  # the rest is imported when the command runs, so --help stays cheap
    from llm_resolver.plugins.manager import PluginManager
    from llm_resolver.protocol import LLM
    from llm_resolver.types.messages import Message
    from llm_resolver.types.responses import ChatResponse


def add_parser(commands: Any, plugins: PluginManager | None) -> None:
    parser = commands.add_parser(
        "complete",
        help="send one prompt and stream the answer",
        description="Send one prompt to an LLM and stream the answer to stdout; a summary (model, "
        "tokens, cost, attempts) goes to stderr. The model comes from --model, --spec, or LLM_MODEL.",
    )
    parser.add_argument("prompt", nargs="?", default="-", help='the prompt; "-" or omitted reads stdin')
    add_llm_arguments(parser)
    parser.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    parser.add_argument("--json", action="store_true", help="print the final response as JSON")
    parser.set_defaults(func=functools.partial(run, plugins=plugins, parser=parser))


def run(args: argparse.Namespace, *, plugins: PluginManager | None, parser: argparse.ArgumentParser) -> int:
    from llm_resolver.cli.llm_options import resolve_llm, spec_from_args
    from llm_resolver.readout import summary_line
    from llm_resolver.types.messages import Message

    prompt = _prompt(args.prompt, parser)
    messages = [Message.system(args.system)] if args.system else []
    messages.append(Message.user(prompt))
    llm = resolve_llm(spec_from_args(args), plugins, args.scope)
    with answer_stdout() as out:
        response = _call(llm, messages, stream=not args.no_stream, echo=None if args.json else out)
        if args.json:
            out.write(response.model_dump_json(indent=2) + "\n")
    sys.stderr.write(summary_line(response) + "\n")
    return 0


def _call(llm: LLM, messages: list[Message], *, stream: bool, echo: TextIO | None) -> ChatResponse:
    """Stream (echoing each token as it arrives) or wait for the whole answer."""
    if not stream:
        response = llm.complete(messages)
        if echo is not None:
            echo.write(response.text)
            end_line(echo, response.text)
        return response
    shown = ""
    try:
        with llm.stream(messages) as chunks:
            for chunk in chunks:
                if echo is not None and chunk.text:
                    echo.write(chunk.text)
                    echo.flush()
                    shown = chunk.text
            return chunks.response
    finally:
        if echo is not None:
            end_line(echo, shown)


def _prompt(given: str, parser: argparse.ArgumentParser) -> str:
    if given != "-":
        return given
    if sys.stdin is None or sys.stdin.isatty():
        parser.error('no prompt: pass it as an argument, or pipe it in and use "-"')
    text = sys.stdin.read().strip()
    if not text:
        parser.error("the prompt read from stdin is empty")
    return text
