"""``FakeLLM``: an in-process ``LLM`` with scripted replies, for testing code that takes an LLM.

No HTTP and no LiteLLM. Replies come from a queue, in the same ``Reply`` vocabulary as the provider
emulator (and with the same defaults: an echo of the last user message, estimated usage), and every
request is recorded. Tool loops, structured output (with its re-asks) and streams behave as on a
resolved LLM, so an agent's own logic is tested in microseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from llm_resolver import structured
from llm_resolver.errors import LLMConnectionError, LLMError
from llm_resolver.types.messages import Message, Role, ToolCall
from llm_resolver.types.request import ChatRequest, RequestLike, coerce_request
from llm_resolver.types.responses import (
    Attempt,
    ChatChunk,
    ChatResponse,
    EmbeddingResponse,
    ModelInfo,
    ToolCallDelta,
    Usage,
)

from .emulator.completion import Completion, build_completion, estimate_tokens
from .emulator.openai_format import embedding_vector
from .emulator.script import Reply

# A scripted step: a Reply, its text alone, an error to raise, or a function of the request.
Step = Reply | str | LLMError | Callable[[ChatRequest], "Reply | str"]
# Options a resolved LLM takes per call besides request fields; a fake accepts and ignores them.
_CALL_OPTIONS = frozenset({"deadline", "cache"})


class FakeLLM:
    """Answers from ``script``-ed steps in order, then echoes. ``requests`` holds every request sent,
    ``embedded`` every batch of texts embedded. Thread- and task-safe."""

    def __init__(
        self,
        *steps: Step,
        model: str = "fake/model",
        info: ModelInfo | None = None,
        structured_retries: int = 2,
    ) -> None:
        self.model = model
        self.requests: list[ChatRequest] = []
        self.embedded: list[list[str]] = []
        self._info = info or ModelInfo(
            model=model,
            provider="fake",
            supports_tools=True,
            supports_vision=True,
            supports_response_schema=True,
        )
        self._structured_retries = structured_retries
        self._steps: deque[Step] = deque(steps)
        self._call_ids = itertools.count(1)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FakeLLM(model={self.model!r}, scripted={len(self._steps)}, requests={len(self.requests)})"

    def script(self, *steps: Step) -> None:
        """Queue more steps after the ones not used yet."""
        with self._lock:
            self._steps.extend(steps)

    def complete(self, request: RequestLike, **options: Any) -> ChatResponse:
        if structured.wanted(request, options):
            return structured.complete(self._complete, request, options, self._structured_retries)
        return self._complete(request, **options)

    async def acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        if structured.wanted(request, options):
            return await structured.acomplete(self._acomplete, request, options, self._structured_retries)
        return await self._acomplete(request, **options)

    def stream(self, request: RequestLike, **options: Any) -> FakeStream:
        structured.refuse_in_stream(options, "stream")
        reply, completion = self._answer(request, options)
        return FakeStream(
            self._chunks(completion), self._response(completion), reply.delay, reply.chunk_delay
        )

    def astream(self, request: RequestLike, **options: Any) -> FakeAsyncStream:
        structured.refuse_in_stream(options, "astream")
        reply, completion = self._answer(request, options)
        return FakeAsyncStream(
            self._chunks(completion), self._response(completion), reply.delay, reply.chunk_delay
        )

    def embed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        """The emulator's deterministic vectors (``ProviderEmulator.embedding_for``), in input order."""
        batch = [texts] if isinstance(texts, str) else list(texts)
        with self._lock:
            self.embedded.append(batch)
        tokens = sum(estimate_tokens(t) for t in batch)
        return EmbeddingResponse(
            vectors=[embedding_vector(t) for t in batch],
            model=str(options.get("model", self.model)),
            usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
            attempts=[Attempt(model=self.model, outcome="ok")],
        )

    async def aembed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        return self.embed(texts, **options)

    def info(self) -> ModelInfo:
        return self._info

    # Internals -----------------------------------------------------------------------------------

    def _complete(self, request: RequestLike, **options: Any) -> ChatResponse:
        reply, completion = self._answer(request, options)
        time.sleep(reply.delay)
        return self._response(completion)

    async def _acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        reply, completion = self._answer(request, options)
        await asyncio.sleep(reply.delay)
        return self._response(completion)

    def _answer(self, request: RequestLike, options: dict[str, Any]) -> tuple[Reply, Completion]:
        """Record the request, take the next step, and settle the reply it gives."""
        fields = {k: v for k, v in options.items() if k not in _CALL_OPTIONS}
        req = coerce_request(request, **fields)
        with self._lock:
            self.requests.append(req)
            step = self._steps.popleft() if self._steps else Reply()
        if isinstance(step, LLMError):
            raise step
        if callable(step):
            step = step(req)
        reply = Reply(text=step) if isinstance(step, str) else step
        if reply.json is not None:
            raise ValueError("FakeLLM has no wire format: script the reply's text and tool calls, not json")
        users = [m for m in req.messages if m.role == Role.USER]
        completion = build_completion(
            reply,
            prompt_text="\n".join(m.text for m in req.messages),
            echo_text=users[-1].text if users else "",
            next_call_id=lambda: f"call_fake_{next(self._call_ids)}",
        )
        return reply, completion

    def _response(self, completion: Completion) -> ChatResponse:
        calls = [ToolCall.from_wire(c.id, c.name, c.arguments, reply=True) for c in completion.tool_calls]
        return ChatResponse(
            message=Message.from_reply(completion.text, calls),
            finish_reason=completion.finish_reason,
            model=self.model,
            usage=Usage(
                prompt_tokens=completion.prompt_tokens,
                completion_tokens=completion.completion_tokens,
                total_tokens=completion.total_tokens,
                cached_tokens=completion.cached_tokens,
            ),
            attempts=[Attempt(model=self.model, outcome="ok")],
        )

    def _chunks(self, completion: Completion) -> list[ChatChunk]:
        chunks = [ChatChunk(text=piece) for piece in completion.pieces if piece]
        chunks += [
            ChatChunk(tool_calls=[ToolCallDelta(index=i, id=c.id, name=c.name, arguments=c.arguments)])
            for i, c in enumerate(completion.tool_calls)
        ]
        return [*chunks, ChatChunk(finish_reason=completion.finish_reason)]


class _Stream:
    """Chunks of a settled reply; like a resolved LLM's stream, ``response`` waits for the end."""

    def __init__(
        self, chunks: list[ChatChunk], response: ChatResponse, delay: float, chunk_delay: float
    ) -> None:
        self._chunks = chunks
        self._final = response
        self._delay = delay
        self._chunk_delay = chunk_delay
        self._sent = 0
        self._done = False

    @property
    def response(self) -> ChatResponse:
        if not self._done:
            raise LLMConnectionError(
                "the stream has not finished; iterate it to the end before reading .response",
                partial_text="".join(c.text for c in self._chunks[: self._sent]),
                retryable=False,
            )
        return self._final


class FakeStream(_Stream):
    def __iter__(self) -> Iterator[ChatChunk]:
        time.sleep(self._delay)
        for index, chunk in enumerate(self._chunks):
            if index:
                time.sleep(self._chunk_delay)
            self._sent += 1
            yield chunk
        self._done = True

    def __enter__(self) -> FakeStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: a fake stream holds no connection."""


class FakeAsyncStream(_Stream):
    async def __aiter__(self) -> AsyncIterator[ChatChunk]:
        await asyncio.sleep(self._delay)
        for index, chunk in enumerate(self._chunks):
            if index:
                await asyncio.sleep(self._chunk_delay)
            self._sent += 1
            yield chunk
        self._done = True

    async def __aenter__(self) -> FakeAsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Nothing to release: a fake stream holds no connection."""
