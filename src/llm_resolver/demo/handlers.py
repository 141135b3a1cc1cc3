"""The guild's handlers: plain functions that declare the LLM they need and get it injected."""

from __future__ import annotations

from collections.abc import Callable

from llm_resolver.host.depends import depends_on
from llm_resolver.protocol import LLM
from llm_resolver.types.messages import Message
from llm_resolver.types.responses import ChatResponse

SYSTEM = "You are a member of a small research guild. Answer in one or two sentences."


@depends_on("llm")
def summarise(task: str, llm: LLM) -> ChatResponse:
    """Sync: the host calls it through ``Dependencies.call``."""
    return llm.complete([Message.system(SYSTEM), Message.user(task)])


@depends_on("llm")
async def plan(task: str, llm: LLM) -> ChatResponse:
    """Async: the host awaits it through ``Dependencies.acall``."""
    return await llm.acomplete([Message.system(SYSTEM), Message.user(task)])


@depends_on("llm")
async def narrate(task: str, llm: LLM, on_text: Callable[[str], None]) -> ChatResponse:
    """Streaming: hands each piece of text to the host as it arrives, returns the assembled reply."""
    async with llm.astream([Message.system(SYSTEM), Message.user(task)]) as stream:
        async for chunk in stream:
            on_text(chunk.text)
    return stream.response
