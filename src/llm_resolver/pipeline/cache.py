"""The cache stage: a call whose wire form was answered before is answered from the cache, free
(so even over budget), and a successful reply is stored; a stream's hit is replayed as chunks.

The key is the first target's wire form, the same dict its first attempt sends.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from llm_resolver.backend.targets import Target
from llm_resolver.cache.entry import CachedReply
from llm_resolver.cache.response_cache import ResponseCache
from llm_resolver.pipeline.call import Call
from llm_resolver.pipeline.observe import Observer
from llm_resolver.pipeline.prepare import wire
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.streaming.session import OpenStream
from llm_resolver.types.responses import ChatResponse

if TYPE_CHECKING:
    from llm_resolver.pipeline.core import LLMCore


class CacheStage:
    def __init__(self, cache: ResponseCache | None, observe: Observer) -> None:
        self.cache = cache
        self.observe = observe

    def lookup(self, core: LLMCore, call: Call) -> CachedReply | None:
        cache = self._keyed(core, call)
        if cache is None or call.key is None:
            return None
        return cache.get(call.key)

    async def alookup(self, core: LLMCore, call: Call) -> CachedReply | None:
        cache = self._keyed(core, call)
        if cache is None or call.key is None:
            return None
        return await cache.aget(call.key)

    def hit(self, call: Call, reply: CachedReply, started: float) -> ChatResponse:
        """The reply as this call's answer (metered as a free hit, shown to after_response)."""
        response = reply.response(time.monotonic() - started)
        self.observe.cached(call.ctx, response)
        return response

    def get(self, core: LLMCore, call: Call) -> ChatResponse | None:
        started = time.monotonic()
        reply = self.lookup(core, call)
        return None if reply is None else self.hit(call, reply, started)

    async def aget(self, core: LLMCore, call: Call) -> ChatResponse | None:
        started = time.monotonic()
        reply = await self.alookup(core, call)
        return None if reply is None else self.hit(call, reply, started)

    def store(self, call: Call, response: ChatResponse, pieces: list[str] | None = None) -> ChatResponse:
        """Cache a successful reply (errors never get here) and hand it back."""
        if call.key is not None and self.cache is not None:
            self.cache.put(call.key, CachedReply.of(response, pieces))
        return response

    async def astore(
        self, call: Call, response: ChatResponse, pieces: list[str] | None = None
    ) -> ChatResponse:
        if call.key is not None and self.cache is not None:
            await self.cache.aput(call.key, CachedReply.of(response, pieces))
        return response

    def _keyed(self, core: LLMCore, call: Call) -> ResponseCache | None:
        if self.cache is None or not call.use_cache or not call.targets:
            return None
        call.key = self.cache.key(call.ctx.scope, wire(core, call, call.targets[0]))
        return self.cache


def replay(reply: CachedReply, response: ChatResponse) -> OpenStream[Any]:
    """A cache hit as an exhausted stream session that hands out the stored chunks."""
    chunks = reply.chunks()
    assembler = StreamAssembler(parts=[c.text for c in chunks if c.text])
    return OpenStream(None, assembler, Target(model=response.model), buffered=chunks, exhausted=True)
