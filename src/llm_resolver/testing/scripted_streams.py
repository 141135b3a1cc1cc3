"""The failures a ``ScriptedBackend`` can be scripted with, and its streams of deltas."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from llm_resolver.backend.port import Delta
from llm_resolver.errors import LLMError, LLMRateLimitError, LLMServiceError
from llm_resolver.types.responses import ChatChunk, ToolCallDelta, Usage

from .emulator.completion import Completion


@dataclass(frozen=True)
class Fail:
    """A request that fails with ``error`` (an ``LLMError`` class, built naming the target's model,
    or an instance raised as it is) after ``delay`` seconds. ``retry_after`` and ``status_code`` go
    on a built error (``retry_after`` only on the classes that take it: rate limits and 5xx). For a
    stream, ``after_chunks`` breaks it after that many chunks of the default reply instead."""

    error: type[LLMError] | LLMError
    retry_after: float | None = None
    status_code: int | None = None
    delay: float = 0.0
    after_chunks: int | None = None

    def build(self, model: str) -> LLMError:
        if isinstance(self.error, LLMError):
            return self.error
        message = f"scripted {self.error.__name__} from {model}"
        if issubclass(self.error, LLMRateLimitError | LLMServiceError):
            return self.error(
                message, model=model, status_code=self.status_code, retry_after=self.retry_after
            )
        return self.error(message, model=model, status_code=self.status_code)


@dataclass(frozen=True)
class Cut:
    """A stream that ends cleanly after ``after_chunks`` chunks without the provider's finish, as a
    proxy that cut it would leave it."""

    after_chunks: int = 0


def deltas(completion: Completion) -> list[Delta]:
    """A settled reply as a stream: its text pieces, its tool calls, the finish, then the usage."""
    out = [Delta(ChatChunk(text=piece)) for piece in completion.pieces if piece]
    out += [
        Delta(ChatChunk(tool_calls=[ToolCallDelta(index=i, id=c.id, name=c.name, arguments=c.arguments)]))
        for i, c in enumerate(completion.tool_calls)
    ]
    out.append(Delta(ChatChunk(finish_reason=completion.finish_reason)))
    if completion.usage_in_stream:
        out.append(Delta(None, usage_of(completion)))
    return out


def usage_of(completion: Completion) -> Usage:
    return Usage(
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        total_tokens=completion.total_tokens,
        cached_tokens=completion.cached_tokens,
    )


class _Scripted:
    def __init__(
        self, model: str, events: list[Delta], ending: Fail | Cut | None, chunk_delay: float
    ) -> None:
        if ending is not None:
            events = [e for e in events if e.chunk is not None and e.chunk.text][: ending.after_chunks or 0]
        self._model = model
        self._events = events
        self._ending = ending
        self._chunk_delay = chunk_delay
        self._sent = 0
        self.closed = False

    def _step(self) -> Delta:
        """The next event; raises the scripted break, or StopIteration at the end."""
        if self.closed or self._sent >= len(self._events):
            if isinstance(self._ending, Fail) and not self.closed:
                self.closed = True
                raise self._ending.build(self._model)
            raise StopIteration
        self._sent += 1
        return self._events[self._sent - 1]

    def cut_short(self) -> bool:
        return isinstance(self._ending, Cut)

    def close(self) -> None:
        self.closed = True


class ScriptedStream(_Scripted):
    def __init__(
        self,
        model: str,
        events: list[Delta],
        ending: Fail | Cut | None,
        chunk_delay: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(model, events, ending, chunk_delay)
        self._sleep = sleep

    def __iter__(self) -> ScriptedStream:
        return self

    def __next__(self) -> Delta:
        if self._sent and self._chunk_delay:
            self._sleep(self._chunk_delay)
        return self._step()


class ScriptedAsyncStream(_Scripted):
    def __init__(
        self,
        model: str,
        events: list[Delta],
        ending: Fail | Cut | None,
        chunk_delay: float,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(model, events, ending, chunk_delay)
        self._asleep = asleep

    def __aiter__(self) -> ScriptedAsyncStream:
        return self

    async def __anext__(self) -> Delta:
        if self._sent and self._chunk_delay:
            await self._asleep(self._chunk_delay)
        try:
            return self._step()
        except StopIteration:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self.close()
