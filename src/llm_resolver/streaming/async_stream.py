"""The async stream handed to callers; mirrors SyncChatStream over LiteLLM's async wrapper."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from llm_resolver.errors import LLMError
from llm_resolver.streaming.base import StreamBase
from llm_resolver.streaming.session import CUT_MESSAGE, OpenStream, close_async, close_sync
from llm_resolver.types.responses import ChatChunk, ChatResponse

# Close tasks started from __del__, kept referenced until done so they are not collected mid-close.
_CLOSING: set[asyncio.Task[None]] = set()


class AsyncChatStream(StreamBase):
    def __init__(
        self,
        open_stream: Callable[[], Awaitable[OpenStream]],
        finish: Callable[[OpenStream], ChatResponse],
        broken: Callable[[OpenStream, BaseException], LLMError],
    ) -> None:
        super().__init__(finish, broken)
        self._open_stream = open_stream

    def __aiter__(self) -> AsyncIterator[ChatChunk]:
        return self

    async def __anext__(self) -> ChatChunk:
        if self._closed:
            raise StopAsyncIteration
        session = self._session
        if session is None:
            session = self._session = await self._open_stream()
        if session.buffered:
            return session.buffered.pop(0)
        while not session.exhausted:
            try:
                raw = await session.iterator.__anext__()
            except StopAsyncIteration:
                session.exhausted = True
                break
            except Exception as exc:
                error = self._broken(session, exc)
                await self.aclose()
                raise error from None
            chunk = session.assembler.add(raw)
            if chunk is not None:
                return chunk
        if session.cut_short():
            error = self._broken(session, EOFError(CUT_MESSAGE))
            await self.aclose()
            raise error from None
        self._response = self._finish(session)
        await self.aclose()
        raise StopAsyncIteration

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._session is not None:
            await close_async(self._session.wrapper)
        self._closing()

    def __del__(self) -> None:
        # Garbage-collected unfinished: close on the running loop if there is one, else synchronously.
        if self._closed:
            return
        self._closed = True
        self._closing()
        if self._session is None:
            return
        wrapper = self._session.wrapper
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            close_sync(wrapper)
            return
        task = loop.create_task(close_async(wrapper))
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)
