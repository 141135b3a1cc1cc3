"""Accumulates streamed chunks into the final message, usage and finish reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from llm_resolver.backend.port import Delta
from llm_resolver.types.messages import Message, ToolCall
from llm_resolver.types.responses import ChatChunk, Usage


@dataclass
class _PartialCall:
    id: str | None = None
    name: str = ""
    arguments: str = ""


@dataclass
class StreamAssembler:
    parts: list[str] = field(default_factory=list)
    calls: dict[int, _PartialCall] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: Usage | None = None
    chunks: int = 0

    def add(self, event: Delta) -> ChatChunk | None:
        """Take one streamed event; return what the caller should see of it (None for nothing)."""
        if event.usage is not None:
            self.usage = event.usage
        chunk = event.chunk
        if chunk is None:
            return None
        self.chunks += 1
        if chunk.text:
            self.parts.append(chunk.text)
        for delta in chunk.tool_calls:
            call = self.calls.setdefault(delta.index, _PartialCall())
            call.id = call.id or delta.id
            call.name = call.name or delta.name or ""
            call.arguments += delta.arguments
        if chunk.finish_reason is not None:
            self.finish_reason = chunk.finish_reason
        return chunk

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def message(self) -> Message:
        calls = [
            ToolCall.from_wire(c.id or f"call_{i}", c.name, c.arguments, reply=True)
            for i, c in sorted(self.calls.items())
        ]
        return Message.from_reply(self.text or None, calls)
