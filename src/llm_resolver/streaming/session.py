"""One opened provider stream: LiteLLM's wrapper, what was read ahead, and how to close it."""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from typing import Any

from llm_resolver.backend.targets import Target
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.types.responses import ChatChunk

# LiteLLM stream handlers that record the finish reason the provider sent (each checked on the emulator;
# Gemini's is "vertex_ai_beta"). Gemini's makes one up for every content chunk, so only a Gemini stream
# that ends before any content shows as cut short.
_FINISH_RECORDED = frozenset({"openai", "anthropic", "vertex_ai_beta"})
CUT_MESSAGE = (
    "the provider's stream ended without its finish reason (cut short, or events that could not be read)"
)


@dataclass
class OpenStream:
    wrapper: Any
    iterator: Any
    assembler: StreamAssembler
    target: Target
    buffered: list[ChatChunk] = field(default_factory=list)
    exhausted: bool = False

    def cut_short(self) -> bool:
        """True when the provider's stream ended without its finish reason: a proxy cut it, or it held
        events LiteLLM could not parse and skipped. LiteLLM then ends it quietly with a made-up "stop"
        and a usage it counted itself, so its wrapper's record is the only trace left."""
        if getattr(self.wrapper, "custom_llm_provider", None) not in _FINISH_RECORDED:
            return False
        received = getattr(self.wrapper, "received_finish_reason", None)
        intermittent = getattr(self.wrapper, "intermittent_finish_reason", None)
        return received is None and intermittent is None


def _parts(wrapper: Any) -> list[Any]:
    """LiteLLM's stream and what it wraps: an SDK stream, or an iterator over an httpx response."""
    inner = getattr(wrapper, "completion_stream", None)
    return [inner, getattr(inner, "streaming_response", None), getattr(inner, "response", None)]


def close_sync(wrapper: Any) -> None:
    """Release the HTTP connection behind a LiteLLM stream (it has no sync close of its own)."""
    for obj in _parts(wrapper):
        close = getattr(obj, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


async def close_async(wrapper: Any) -> None:
    """LiteLLM's own ``aclose`` misses some providers' response iterators (Anthropic's), so close
    every layer it wraps as well."""
    parts = _parts(wrapper)
    for obj in (wrapper, *parts):
        aclose = getattr(obj, "aclose", None)
        close = getattr(obj, "close", None)
        with contextlib.suppress(Exception):
            if callable(aclose):
                await aclose()
            elif callable(close):
                result = close()
                if inspect.isawaitable(result):
                    await result
