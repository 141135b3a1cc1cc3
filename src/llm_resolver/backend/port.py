"""The backend port: what the call pipeline needs from whatever talks to the providers.

A backend is given each request once per target in wire form (``Wire``: the OpenAI-shaped keyword
arguments ``backend.wire.chat_wire`` builds, the same dict the cache key is computed from), makes
exactly one request per method call, and answers with provider-neutral values. Every failure it
raises is an ``LLMError`` (the mapping from provider or SDK errors lives in the backend), so the
resilience layer above decides on our taxonomy alone. ``LiteLLMBackend`` is the one used in
production; ``llm_resolver.testing.ScriptedBackend`` runs the pipeline in-process for unit tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from llm_resolver.backend.targets import Target

if TYPE_CHECKING:
    from llm_resolver.types.messages import Message
    from llm_resolver.types.responses import ChatChunk, Usage

Wire = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reply:
    """One answered chat request. ``cost_usd`` is the backend's own price for it when it computed one
    (LiteLLM does, from its model map); None lets the pipeline price the usage itself."""

    message: Message
    finish_reason: str | None
    usage: Usage | None
    cost_usd: float | None = None
    raw: Any = None


@dataclass(frozen=True, slots=True)
class Delta:
    """One streamed event: what the caller sees of it (None for nothing) and any usage it reported."""

    chunk: ChatChunk | None
    usage: Usage | None = None


@dataclass(frozen=True, slots=True)
class Vectors:
    """One answered embedding request, vectors in input order."""

    vectors: list[list[float]]
    usage: Usage | None


class ChunkStream(Protocol):
    """An opened sync stream. Iterating raises ``LLMError`` when the stream breaks."""

    def __iter__(self) -> Iterator[Delta]: ...

    def __next__(self) -> Delta: ...

    def close(self) -> None:
        """Release the connection (idempotent)."""

    def cut_short(self) -> bool:
        """True when the stream ended without the provider's finish (a proxy cut it, say)."""


class AsyncChunkStream(Protocol):
    def __aiter__(self) -> AsyncIterator[Delta]: ...

    async def __anext__(self) -> Delta: ...

    async def aclose(self) -> None: ...

    def close(self) -> None:
        """For garbage collection outside a running loop."""

    def cut_short(self) -> bool: ...


@runtime_checkable
class Backend(Protocol):
    """``seconds`` is the attempt's timeout, which the executor enforces on the wall clock under a
    deadline; a backend needs it for what that cannot see (a stream's reads once it is open). The
    backend adds no retries of its own."""

    def send(self, target: Target, wire: Wire, seconds: float) -> Reply: ...

    async def asend(self, target: Target, wire: Wire, seconds: float) -> Reply: ...

    def stream(self, target: Target, wire: Wire, seconds: float) -> ChunkStream: ...

    async def astream(self, target: Target, wire: Wire, seconds: float) -> AsyncChunkStream: ...

    def embed(self, target: Target, texts: list[str], options: Wire, seconds: float) -> Vectors: ...

    async def aembed(self, target: Target, texts: list[str], options: Wire, seconds: float) -> Vectors: ...
