"""LiteLLM's stream wrappers behind the port's stream protocols: deltas out, mapped errors, closing.

LiteLLM's own ``aclose`` misses some providers' response iterators (Anthropic's) and its sync
wrapper has no close at all, so every layer it wraps is closed here.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from typing import Any

from llm_resolver.backend.convert import delta_from
from llm_resolver.backend.errors import map_exception
from llm_resolver.backend.port import Delta
from llm_resolver.backend.targets import Target

# LiteLLM stream handlers that record the finish reason the provider sent (each checked on the emulator;
# Gemini's is "vertex_ai_beta"). Gemini's makes one up for every content chunk, so only a Gemini stream
# that ends before any content shows as cut short.
_FINISH_RECORDED = frozenset({"openai", "anthropic", "vertex_ai_beta"})


class _Wrapped:
    def __init__(self, wrapper: Any, target: Target) -> None:
        self._wrapper = wrapper
        self._target = target

    def cut_short(self) -> bool:
        """LiteLLM ends a stream that lost its finish quietly, with a made-up "stop" and a usage it
        counted itself, so its wrapper's record of what the provider sent is the only trace left."""
        if getattr(self._wrapper, "custom_llm_provider", None) not in _FINISH_RECORDED:
            return False
        received = getattr(self._wrapper, "received_finish_reason", None)
        intermittent = getattr(self._wrapper, "intermittent_finish_reason", None)
        return received is None and intermittent is None

    def close(self) -> None:
        for obj in _parts(self._wrapper):
            close = getattr(obj, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()

    def _mapped(self, exc: Exception) -> Exception:
        return map_exception(exc, self._target.model, self._target.secrets)


class LiteLLMStream(_Wrapped):
    def __init__(self, wrapper: Any, target: Target) -> None:
        super().__init__(wrapper, target)
        self._iterator = iter(wrapper)

    def __iter__(self) -> LiteLLMStream:
        return self

    def __next__(self) -> Delta:
        try:
            raw = next(self._iterator)
        except StopIteration:
            raise
        except Exception as exc:
            raise self._mapped(exc) from None
        return delta_from(raw)


class LiteLLMAsyncStream(_Wrapped):
    """``first_within``: seconds the reads up to the first content may take in all, for providers
    whose streams LiteLLM opens on clients without the call's timeout (None: no bound of ours)."""

    def __init__(self, wrapper: Any, target: Target, first_within: float | None = None) -> None:
        super().__init__(wrapper, target)
        self._iterator = wrapper.__aiter__()
        loop = asyncio.get_running_loop()
        self._until = None if first_within is None else loop.time() + first_within

    def __aiter__(self) -> LiteLLMAsyncStream:
        return self

    async def __anext__(self) -> Delta:
        try:
            if self._until is None:
                raw = await self._iterator.__anext__()
            else:
                left = max(0.0, self._until - asyncio.get_running_loop().time())
                raw = await asyncio.wait_for(self._iterator.__anext__(), left)
        except StopAsyncIteration:
            raise
        except Exception as exc:
            raise self._mapped(exc) from None
        delta = delta_from(raw)
        if delta.chunk is not None and (delta.chunk.text or delta.chunk.tool_calls):
            self._until = None
        return delta

    async def aclose(self) -> None:
        for obj in (self._wrapper, *_parts(self._wrapper)):
            aclose = getattr(obj, "aclose", None)
            close = getattr(obj, "close", None)
            with contextlib.suppress(Exception):
                if callable(aclose):
                    await aclose()
                elif callable(close):
                    result = close()
                    if inspect.isawaitable(result):
                        await result


def _parts(wrapper: Any) -> list[Any]:
    """LiteLLM's stream and what it wraps: an SDK stream, or an iterator over an httpx response."""
    inner = getattr(wrapper, "completion_stream", None)
    return [inner, getattr(inner, "streaming_response", None), getattr(inner, "response", None)]
