"""The sync stream handed to callers: lazily opened, closes its connection however it is left."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from llm_resolver.backend.port import ChunkStream
from llm_resolver.errors import LLMError
from llm_resolver.streaming.base import StreamBase
from llm_resolver.streaming.session import CUT_MESSAGE, OpenStream
from llm_resolver.types.responses import ChatChunk, ChatResponse

Session = OpenStream[ChunkStream]


class SyncChatStream(StreamBase[ChunkStream]):
    """Iterate for chunks; ``response`` holds the assembled reply (usage and cost) once exhausted.

    The request is sent on first iteration; retries and fallbacks happen before the first chunk,
    and a failure after it raises ``LLMConnectionError`` carrying the partial text.
    """

    def __init__(
        self,
        open_stream: Callable[[], Session],
        finish: Callable[[Session], ChatResponse],
        broken: Callable[[Session, BaseException], LLMError],
    ) -> None:
        super().__init__(broken)
        self._open_stream = open_stream
        self._finish = finish

    def __iter__(self) -> Iterator[ChatChunk]:
        return self

    def __next__(self) -> ChatChunk:
        if self._closed:
            raise StopIteration
        session = self._session
        if session is None:
            session = self._session = self._open_stream()
        if session.buffered:
            return session.buffered.pop(0)
        while not session.exhausted and session.stream is not None:
            try:
                delta = next(session.stream)
            except StopIteration:
                session.exhausted = True
                break
            except Exception as exc:
                error = self._broken(session, exc)
                self.close()
                raise error from None
            chunk = session.assembler.add(delta)
            if chunk is not None:
                return chunk
        if session.cut_short():
            error = self._broken(session, EOFError(CUT_MESSAGE))
            self.close()
            raise error from None
        self._response = self._finish(session)
        self.close()
        raise StopIteration

    def __enter__(self) -> SyncChatStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._session is not None:
            self._session.close()
        self._closing()

    def __del__(self) -> None:
        self.close()
