"""What the cache stores for a reply, and how a hit comes back: as a response or replayed as a stream."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from llm_resolver.types.messages import REPLY_CONTEXT, Message
from llm_resolver.types.responses import Attempt, ChatChunk, ChatResponse, ToolCallDelta, Usage

ENTRY_VERSION = 1


@dataclass(frozen=True)
class CachedReply:
    """A successful reply; ``pieces`` are the text chunks as a stream delivered them (None when it
    came from a plain call: a replay then sends the text as one chunk)."""

    message: Message
    finish_reason: str | None
    model: str
    usage: Usage
    cost_usd: float | None
    pieces: tuple[str, ...] | None = None

    @classmethod
    def of(cls, response: ChatResponse, pieces: list[str] | None = None) -> CachedReply:
        return cls(
            message=response.message,
            finish_reason=response.finish_reason,
            model=response.model,
            usage=response.usage,
            cost_usd=response.cost_usd,
            pieces=None if pieces is None else tuple(pieces),
        )

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "v": ENTRY_VERSION,
            "message": self.message.model_dump(mode="json"),
            "finish_reason": self.finish_reason,
            "model": self.model,
            "usage": self.usage.model_dump(),
            "cost_usd": self.cost_usd,
            "pieces": None if self.pieces is None else list(self.pieces),
        }
        return json.dumps(data, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> CachedReply | None:
        """None for an entry written by another version (a miss, then overwritten)."""
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("v") != ENTRY_VERSION:
            return None
        pieces = data.get("pieces")
        return cls(
            message=Message.model_validate(data["message"], context=REPLY_CONTEXT),
            finish_reason=data.get("finish_reason"),
            model=str(data["model"]),
            usage=Usage.model_validate(data.get("usage") or {}),
            cost_usd=data.get("cost_usd"),
            pieces=None if pieces is None else tuple(str(p) for p in pieces),
        )

    def response(self, latency_s: float) -> ChatResponse:
        """The reply as a cache hit: it cost nothing this time; one attempt, outcome "cached"."""
        return ChatResponse(
            message=self.message,
            finish_reason=self.finish_reason,
            model=self.model,
            usage=self.usage,
            cost_usd=0.0,
            attempts=[Attempt(model=self.model, outcome="cached", latency_s=latency_s)],
            cached=True,
        )

    def chunks(self) -> list[ChatChunk]:
        """The reply as a stream: its text pieces, then its tool calls, the last with the finish reason."""
        text = self.message.text
        pieces = list(self.pieces) if self.pieces is not None else ([text] if text else [])
        out = [ChatChunk(text=p) for p in pieces if p]
        calls = [
            ToolCallDelta(index=i, id=c.id, name=c.name, arguments=c.to_openai()["function"]["arguments"])
            for i, c in enumerate(self.message.tool_calls)
        ]
        if calls:
            out.append(ChatChunk(tool_calls=calls))
        if out:
            out[-1] = out[-1].model_copy(update={"finish_reason": self.finish_reason})
        else:
            out.append(ChatChunk(finish_reason=self.finish_reason))
        return out
