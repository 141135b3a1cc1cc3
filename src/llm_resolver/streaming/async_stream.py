"""The async stream handed to callers; mirrors SyncChatStream, with an awaited finish (the cache
write and a blocking meter's records happen off the loop before the last chunk is handed over)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from llm_resolver.backend.port import AsyncChunkStream
from llm_resolver.errors import LLMError
from llm_resolver.streaming.base import StreamBase
from llm_resolver.streaming.session import CUT_MESSAGE, OpenStream
from llm_resolver.types.responses import ChatChunk, ChatResponse

Session = OpenStream[AsyncChunkStream]
# Close tasks started from __del__, kept referenced until done so they are not collected mid-close.
_CLOSING: set[asyncio.Task[None]] = set()


class AsyncChatStream(StreamBase[AsyncChunkStream]):
    def __init__(
        self,
        open_stream: Callable[[], Awaitable[Session]],
        finish: Callable[[Session], Awaitable[ChatResponse]],
        broken: Callable[[Session, BaseException], LLMError],
    ) -> None:
        super().__init__(broken)
        self._open_stream = open_stream
        self._finish = finish

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
        while not session.exhausted and session.stream is not None:
            try:
                delta = await session.stream.__anext__()
            except StopAsyncIteration:
                session.exhausted = True
                break
            except Exception as exc:
                error = self._broken(session, exc)
                await self.aclose()
                raise error from None
            chunk = session.assembler.add(delta)
            if chunk is not None:
                return chunk
        if session.cut_short():
            error = self._broken(session, EOFError(CUT_MESSAGE))
            await self.aclose()
            raise error from None
        self._response = await self._finish(session)
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
        if self._session is not None and self._session.stream is not None:
            await self._session.stream.aclose()
        self._closing()

    def __del__(self) -> None:
        # Garbage-collected unfinished: close on the running loop if there is one, else synchronously.
        if self._closed:
            return
        self._closed = True
        self._closing()
        stream = self._session.stream if self._session is not None else None
        if stream is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            stream.close()
            return
        task = loop.create_task(stream.aclose())
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)
