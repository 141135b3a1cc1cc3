"""One chat session's state (the LLM, the conversation, attached images, spend) and a streamed turn."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console

from llm_resolver import LLM, Attempt, DeferredPart, ImagePart, LLMError, Message, PluginManager, Role
from llm_resolver.cli.chat_tally import Tally
from llm_resolver.cli.errors import report
from llm_resolver.cli.llm_options import resolve_llm, spec_from_args
from llm_resolver.cli.spec_file import declared_names
from llm_resolver.cli.stray_output import answer_stdout, end_line
from llm_resolver.readout import summary_line

STOPPED = "[stopped: the part shown is kept in the conversation]"
STOPPED_EARLY = "[stopped before the answer began: the question is not kept]"


@dataclass
class LastReply:
    """What ``/attempts`` shows: the tries behind the last reply, or behind the last failure."""

    attempts: list[Attempt]
    failed: bool = False


@dataclass
class ChatSession:
    args: argparse.Namespace
    plugins: PluginManager | None
    console: Console
    llm: LLM
    dependency: str | None  # the --spec map's dependency in use; None without --spec
    messages: list[Message] = field(default_factory=list)
    images: list[ImagePart | DeferredPart] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    last: LastReply | None = None
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @classmethod
    def start(cls, args: argparse.Namespace, plugins: PluginManager | None, console: Console) -> ChatSession:
        """Resolve the LLM the options name (a bad spec fails here, before the first prompt)."""
        llm = resolve_llm(spec_from_args(args), plugins, args.scope)
        session = cls(args, plugins, console, llm, args.name if args.spec else None)
        if args.system:
            session.set_system(args.system)
        return session

    # The conversation ------------------------------------------------------------------------------

    def ask(self, text: str) -> None:
        """Stream one answer to stdout. A reply joins the conversation with its question. A failure is
        one line on stderr and leaves the conversation as it was (attached images stay attached).
        Ctrl-C stops the answer and closes its stream; the question and the part of the answer shown
        are kept (when nothing had arrived yet, the question is dropped as a failure would be)."""
        question = Message.user(text, images=self.images) if self.images else Message.user(text)
        images, self.images = self.images, []
        shown = ""
        with answer_stdout() as out:
            try:
                with self.llm.stream([*self.messages, question]) as chunks:
                    for chunk in chunks:
                        if chunk.text:
                            shown += chunk.text  # first: a Ctrl-C as it is printed must not lose it
                            out.write(chunk.text)
                            out.flush()
                    response = chunks.response
            except KeyboardInterrupt:
                end_line(out, shown)
                self.console.print(STOPPED if shown else STOPPED_EARLY, style="yellow", markup=False)
                self.tally.stopped += 1
                self.last = None
                if shown:
                    self.messages += [question, Message.assistant(shown)]
                else:
                    self.images = images
                return
            except LLMError as error:
                end_line(out, shown)
                self.images = images
                self.last = LastReply(list(error.attempts), failed=True)
                report(error, self.err)
                return
            end_line(out, shown)
        self.messages += [question, response.message]
        self.tally.record(response)
        self.last = LastReply(list(response.attempts))
        self.console.print(summary_line(response), style="dim", markup=False)

    def switch(self, name: str) -> None:
        """``/model NAME``: a dependency of the --spec map by that name, else a model string on the
        current settings; the conversation carries over. A bad name leaves the current LLM in place."""
        dependency: str | None = self.dependency
        model: str | None = name
        if dependency is not None and name in declared_names(self.args.spec):
            dependency, model = name, None
        self.llm = resolve_llm(
            spec_from_args(self.args, name=dependency, model=model), self.plugins, self.args.scope
        )
        self.dependency = dependency

    @property
    def label(self) -> str:
        """What the session is talking to, as the banner and ``/model`` show it."""
        return f"{self.dependency} ({self.llm.model})" if self.dependency else self.llm.model

    @property
    def system(self) -> Message | None:
        first = self.messages[0] if self.messages else None
        return first if first is not None and first.role == Role.SYSTEM else None

    def set_system(self, text: str) -> None:
        """Replace the system message (or add one at the start); empty text removes it."""
        if self.system is not None:
            self.messages.pop(0)
        if text:
            self.messages.insert(0, Message.system(text))

    def attach(self, source: str) -> list[ImagePart | DeferredPart]:
        """``/image PATH``: read and check it now, so a missing file or an oversized image is said at
        once, not after the next question is typed. A file no built-in rule reads (a PDF) is left to
        the content loaders plugins registered, when the question is sent."""
        message = Message.user("", images=[os.path.expanduser(source)])
        parts: list[ImagePart | DeferredPart] = [*message.images, *message.deferred]
        self.images += parts
        return parts
