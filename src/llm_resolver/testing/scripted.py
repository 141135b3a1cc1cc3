"""``ScriptedBackend``: the backend port in-process, for unit tests of everything above it.

Give it to an LLM (``LiteLLM(config, backend=ScriptedBackend(...))``) and the whole pipeline runs —
hooks, cache, budgets, retries, fallbacks, deadlines, cool-downs, meters — with no HTTP and no
provider: each request takes the next scripted step of its target's queue (``script(model, ...)``),
else of the shared one, else gets the emulator's default (an echo of the last user message, usage
estimated). Every request is recorded per target in ``sent``. Waits go through ``sleep``/``asleep``,
so a test on a fake clock runs delays in no time.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from llm_resolver.backend import port
from llm_resolver.backend.targets import Target
from llm_resolver.errors import LLMError
from llm_resolver.types.messages import Message, ToolCall
from llm_resolver.types.responses import Usage

from .emulator.completion import Completion, build_completion
from .emulator.openai_format import embedding_vector
from .emulator.script import Reply
from .scripted_streams import Cut, Fail, ScriptedAsyncStream, ScriptedStream, deltas, usage_of

# A scripted step: a reply (or its text), a failure, a cut stream, or an error class or instance.
Step = Reply | str | Fail | Cut | type[LLMError] | LLMError
Operation = Literal["send", "stream", "embed"]


@dataclass(frozen=True)
class Sent:
    """One request the backend was given: to which model, how, its wire form and its timeout."""

    model: str
    operation: Operation
    wire: dict[str, Any]
    seconds: float


class ScriptedBackend:
    """Thread- and task-safe. ``script`` per target, or pass steps here for any target."""

    def __init__(
        self,
        *steps: Step,
        sleep: Callable[[float], None] = time.sleep,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.sent: list[Sent] = []
        self._shared: deque[Step] = deque(steps)
        self._queues: dict[str, deque[Step]] = {}
        self._sleep = sleep
        self._asleep = asleep
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def script(self, model: str, *steps: Step) -> ScriptedBackend:
        """Queue ``steps`` for requests to ``model``, after any already queued for it."""
        with self._lock:
            self._queues.setdefault(model, deque()).extend(steps)
        return self

    def to(self, model: str) -> list[Sent]:
        """The requests ``model`` was sent, in order."""
        with self._lock:
            return [s for s in self.sent if s.model == model]

    # The port ------------------------------------------------------------------------------------

    def send(self, target: Target, wire: port.Wire, seconds: float) -> port.Reply:
        step = self._next(target, "send", wire, seconds)
        if _delay(step):
            self._sleep(_delay(step))
        return _reply(self._answer(target, step, wire))

    async def asend(self, target: Target, wire: port.Wire, seconds: float) -> port.Reply:
        step = self._next(target, "send", wire, seconds)
        if _delay(step):
            await self._asleep(_delay(step))
        return _reply(self._answer(target, step, wire))

    def stream(self, target: Target, wire: port.Wire, seconds: float) -> ScriptedStream:
        step = self._next(target, "stream", wire, seconds)
        if _delay(step):
            self._sleep(_delay(step))
        return ScriptedStream(*self._streamed(target, step, wire), sleep=self._sleep)

    async def astream(self, target: Target, wire: port.Wire, seconds: float) -> ScriptedAsyncStream:
        step = self._next(target, "stream", wire, seconds)
        if _delay(step):
            await self._asleep(_delay(step))
        return ScriptedAsyncStream(*self._streamed(target, step, wire), asleep=self._asleep)

    def embed(self, target: Target, texts: list[str], options: port.Wire, seconds: float) -> port.Vectors:
        step = self._next(target, "embed", {**options, "input": list(texts)}, seconds)
        if _delay(step):
            self._sleep(_delay(step))
        return _vectors(target, step, texts)

    async def aembed(
        self, target: Target, texts: list[str], options: port.Wire, seconds: float
    ) -> port.Vectors:
        step = self._next(target, "embed", {**options, "input": list(texts)}, seconds)
        if _delay(step):
            await self._asleep(_delay(step))
        return _vectors(target, step, texts)

    # Steps ---------------------------------------------------------------------------------------

    def _next(self, target: Target, operation: Operation, wire: port.Wire, seconds: float) -> Step:
        with self._lock:
            self.sent.append(Sent(target.model, operation, dict(wire), seconds))
            queue = self._queues.get(target.model)
            if queue:
                return queue.popleft()
            return self._shared.popleft() if self._shared else Reply()

    def _answer(self, target: Target, step: Step, wire: port.Wire) -> Completion:
        """The reply a step gives, or its error raised."""
        failure = _failure(step)
        if failure is not None:
            raise failure.build(target.model)
        if isinstance(step, Cut):
            raise ValueError("Cut scripts a stream; a plain request takes a Reply or a Fail")
        reply = Reply(text=step) if isinstance(step, str) else step if isinstance(step, Reply) else Reply()
        if reply.json is not None:
            raise ValueError("ScriptedBackend has no wire format: script a reply's text and tool calls")
        messages = wire.get("messages") or []
        users = [_text(m) for m in messages if m.get("role") == "user"]
        return build_completion(
            reply,
            prompt_text="\n".join(_text(m) for m in messages),
            echo_text=users[-1] if users else "",
            next_call_id=lambda: f"call_scripted_{next(self._ids)}",
            min_pieces=2,
        )

    def _streamed(
        self, target: Target, step: Step, wire: port.Wire
    ) -> tuple[str, list[port.Delta], Fail | Cut | None, float]:
        """A failure before the first chunk raises here; one after ``after_chunks`` (or a ``Cut``)
        ends the stream of the default reply."""
        failure = _failure(step)
        if failure is not None and failure.after_chunks is None:
            raise failure.build(target.model)
        ending = failure if failure is not None else step if isinstance(step, Cut) else None
        reply = Reply() if ending is not None else step
        delay = reply.chunk_delay if isinstance(reply, Reply) else 0.0
        return target.model, deltas(self._answer(target, reply, wire)), ending, delay


def _failure(step: Step) -> Fail | None:
    if isinstance(step, Fail):
        return step
    if isinstance(step, LLMError | type):
        return Fail(step)
    return None


def _delay(step: Step) -> float:
    return step.delay if isinstance(step, Reply | Fail) else 0.0


def _reply(completion: Completion) -> port.Reply:
    calls = [ToolCall.from_wire(c.id, c.name, c.arguments, reply=True) for c in completion.tool_calls]
    return port.Reply(
        message=Message.from_reply(completion.text, calls),
        finish_reason=completion.finish_reason,
        usage=usage_of(completion),
    )


def _vectors(target: Target, step: Step, texts: list[str]) -> port.Vectors:
    failure = _failure(step)
    if failure is not None:
        raise failure.build(target.model)
    tokens = sum(max(1, (len(t) + 3) // 4) for t in texts)
    usage = Usage(prompt_tokens=tokens, total_tokens=tokens)
    return port.Vectors([embedding_vector(t) for t in texts], usage)


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")
