"""``llm-resolver complete``: one prompt through a resolved LLM, streamed to stdout as it arrives."""

from __future__ import annotations

import argparse
import functools
import sys
from typing import TYPE_CHECKING, Any, TextIO

from llm_resolver.errors import SpecError
from llm_resolver.types.scope import Scope

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
    parser.add_argument("--model", help="e.g. openai/gpt-4o-mini (overrides the spec's model)")
    parser.add_argument("--spec", metavar="FILE", help="YAML/JSON: a DependencySpec or a name -> spec map")
    parser.add_argument(
        "--name", default="llm", help="which dependency of a --spec map to use (default: llm)"
    )
    parser.add_argument("--api-base", help="provider endpoint URL (overrides the spec's api_base)")
    parser.add_argument("--system", metavar="TEXT", help="a system message sent before the prompt")
    parser.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    parser.add_argument("--json", action="store_true", help="print the final response as JSON")
    parser.add_argument(
        "--scope", type=_scope, default=Scope(), metavar="ORG/GUILD/AGENT", help="who the call is made for"
    )
    parser.set_defaults(func=functools.partial(run, plugins=plugins, parser=parser))


def run(args: argparse.Namespace, *, plugins: PluginManager | None, parser: argparse.ArgumentParser) -> int:
    from llm_resolver.cli.stray_output import answer_stdout
    from llm_resolver.readout import summary_line
    from llm_resolver.types.messages import Message

    prompt = _prompt(args.prompt, parser)
    messages = [Message.system(args.system)] if args.system else []
    messages.append(Message.user(prompt))
    llm = _resolve(args, plugins)
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
            _end_line(echo, response.text)
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
            _end_line(echo, shown)


def _end_line(out: TextIO, shown: str) -> None:
    """End the answer's line (also when a stream broke or was interrupted), so nothing follows on it."""
    if shown and not shown.endswith("\n"):
        out.write("\n")
    out.flush()


def _resolve(args: argparse.Namespace, plugins: PluginManager | None) -> LLM:
    from llm_resolver.cli.spec_file import load_spec, with_overrides
    from llm_resolver.protocol import LLM
    from llm_resolver.resolution.spec import DependencySpec

    spec = load_spec(args.spec, args.name) if args.spec else DependencySpec(class_name="litellm")
    spec = with_overrides(spec, {"model": args.model, "api_base": args.api_base})
    resolved = spec.to_resolver(plugins).get_or_resolve(args.scope)
    if not isinstance(resolved, LLM):
        raise SpecError(
            f"{spec.class_name} resolved to a {type(resolved).__name__}, which is not an LLM",
            field="class_name",
        )
    return resolved


def _prompt(given: str, parser: argparse.ArgumentParser) -> str:
    if given != "-":
        return given
    if sys.stdin is None or sys.stdin.isatty():
        parser.error('no prompt: pass it as an argument, or pipe it in and use "-"')
    text = sys.stdin.read().strip()
    if not text:
        parser.error("the prompt read from stdin is empty")
    return text


def _scope(text: str) -> Scope:
    try:
        return Scope.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
