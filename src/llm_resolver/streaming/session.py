"""One opened provider stream: the backend's stream, what was read ahead, and the assembly so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from llm_resolver.backend.port import AsyncChunkStream, ChunkStream
from llm_resolver.backend.targets import Target
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.types.responses import ChatChunk

S = TypeVar("S", ChunkStream, AsyncChunkStream)
CUT_MESSAGE = (
    "the provider's stream ended without its finish reason (cut short, or events that could not be read)"
)


@dataclass
class OpenStream(Generic[S]):
    """``stream`` is None for a reply replayed from the cache."""

    stream: S | None
    assembler: StreamAssembler
    target: Target
    buffered: list[ChatChunk] = field(default_factory=list)
    exhausted: bool = False

    def cut_short(self) -> bool:
        return self.stream is not None and self.stream.cut_short()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
