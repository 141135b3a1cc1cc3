"""One opened provider stream: LiteLLM's wrapper, what was read ahead, and how to close it."""

from __future__ import annotations

import contextlib
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


def close_sync(wrapper: Any) -> None:
    """Release the HTTP connection behind a LiteLLM stream (it has no sync close of its own)."""
    inner = getattr(wrapper, "completion_stream", None)
    for obj in (inner, getattr(inner, "streaming_response", None), getattr(inner, "response", None)):
        close = getattr(obj, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


async def close_async(wrapper: Any) -> None:
    aclose = getattr(wrapper, "aclose", None)
    if callable(aclose):
        with contextlib.suppress(Exception):
            await aclose()
            return
    close_sync(wrapper)
