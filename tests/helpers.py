"""What the test folders share: the four call modes and a factory for LLMs on the emulator."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from llm_resolver import ChatResponse, LiteLLMConfig
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.resilience.clock import SYSTEM_CLOCK, Clock
from llm_resolver.resilience.cooldown import Cooldowns

MODES = ("complete", "acomplete", "stream", "astream")
# Each wire format: a model of it, and the ProviderEmulator attribute holding its api_base.
PROVIDERS = {
    "openai": ("openai/gpt-4o-mini", "openai_base"),
    "anthropic": ("anthropic/claude-haiku-4-5", "anthropic_base"),
    "gemini": ("gemini/gemini-2.5-flash", "gemini_base"),
}
MakeLLM = Callable[..., LiteLLM]


def llm_factory(settings: Mapping[str, Any], clock: Clock = SYSTEM_CLOCK) -> MakeLLM:
    """LLMs from ``settings`` plus per-call overrides, each with its own cool-downs so tests stay apart."""

    def make(**overrides: Any) -> LiteLLM:
        return LiteLLM(LiteLLMConfig(**{**settings, **overrides}), clock=clock, cooldowns=Cooldowns())

    return make


async def call(llm: LiteLLM, mode: str, request: object = "hello", **options: Any) -> ChatResponse:
    """One call in any of the four modes; a stream is read to the end and must match its response."""
    if mode == "complete":
        return llm.complete(request, **options)  # type: ignore[arg-type]
    if mode == "acomplete":
        return await llm.acomplete(request, **options)  # type: ignore[arg-type]
    if mode == "stream":
        with llm.stream(request, **options) as stream:  # type: ignore[arg-type]
            text = "".join(chunk.text for chunk in stream)
        assert text == stream.response.text
        return stream.response
    async with llm.astream(request, **options) as astream:  # type: ignore[arg-type]
        text = "".join([chunk.text async for chunk in astream])
    assert text == astream.response.text
    return astream.response


class FakeClock:
    """Whatever the code under test 'slept' is recorded and skipped, and added to the time. ``start``
    None: real monotonic time plus the sleeps; a number: time that passes only by the sleeps."""

    def __init__(self, start: float | None = None) -> None:
        self.start = start
        self.offset = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return (time.monotonic() if self.start is None else self.start) + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, sleep=self.sleep, asleep=self.asleep)
