"""State and read-outs common to the sync and async streams."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic

from llm_resolver.errors import LLMConnectionError, LLMError
from llm_resolver.streaming.session import OpenStream, S
from llm_resolver.types.responses import ChatResponse


class StreamBase(Generic[S]):
    def __init__(self, broken: Callable[[OpenStream[S], BaseException], LLMError]) -> None:
        self._broken: Callable[[OpenStream[S], BaseException], LLMError] = broken
        self._session: OpenStream[S] | None = None
        self._response: ChatResponse | None = None
        self._closed = False
        self._on_close: list[Callable[[], None]] = []

    def on_close(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once when the stream closes, however it is left: exhausted, broken,
        ``close()``/``aclose()``, a ``with`` block, or garbage collection (a budget hold is released
        then, not whenever the collector gets to it)."""
        self._on_close.append(callback)

    def _closing(self) -> None:
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            callback()

    @property
    def text(self) -> str:
        """What has arrived so far."""
        return self._session.assembler.text if self._session else ""

    @property
    def response(self) -> ChatResponse:
        """The assembled reply, with usage and cost; only once the stream is exhausted."""
        if self._response is None:
            raise LLMConnectionError(
                "the stream has not finished; iterate it to the end before reading .response",
                partial_text=self.text,
                retryable=False,
            )
        return self._response

    def __repr__(self) -> str:
        state = "done" if self._response else "closed" if self._closed else "open"
        return f"<{type(self).__name__} {state}>"
