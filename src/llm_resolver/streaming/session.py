"""One opened provider stream: LiteLLM's wrapper, what was read ahead, and how to close it."""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from typing import Any

from llm_resolver.backend.targets import Target
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.types.responses import ChatChunk


@dataclass
class OpenStream:
    wrapper: Any
    iterator: Any
    assembler: StreamAssembler
    target: Target
    buffered: list[ChatChunk] = field(default_factory=list)
    exhausted: bool = False


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
