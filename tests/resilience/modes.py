"""The four ways to call an LLM, behind one awaitable so each test runs over all of them."""

from __future__ import annotations

from llm_resolver import ChatResponse
from llm_resolver.llm.litellm_llm import LiteLLM

MODES = ("complete", "acomplete", "stream", "astream")


async def call(llm: LiteLLM, mode: str, prompt: str = "hello", **options: object) -> ChatResponse:
    if mode == "complete":
        return llm.complete(prompt, **options)
    if mode == "acomplete":
        return await llm.acomplete(prompt, **options)
    if mode == "stream":
        with llm.stream(prompt, **options) as stream:
            text = "".join(chunk.text for chunk in stream)
        assert text == stream.response.text
        return stream.response
    async with llm.astream(prompt, **options) as astream:
        text = "".join([chunk.text async for chunk in astream])
    assert text == astream.response.text
    return astream.response
