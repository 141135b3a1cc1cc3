"""Shared pieces for the resilience tests: a fake clock and a factory for LLMs on the emulator."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import LiteLLMConfig
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.resilience.clock import Clock
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.testing import ProviderEmulator


class FakeClock:
    """Real time plus whatever the code under test 'slept': sleeps are recorded and skipped."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, sleep=self.sleep, asleep=self.asleep)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


MakeLLM = Callable[..., LiteLLM]


@pytest.fixture
def make_llm(provider_emulator: ProviderEmulator, fake_clock: FakeClock) -> MakeLLM:
    """An OpenAI-format LLM on the emulator, fresh cool-downs, fake clock; kwargs override config."""

    def make(**overrides: Any) -> LiteLLM:
        settings: dict[str, Any] = {
            "model": "openai/gpt-4o-mini",
            "api_base": provider_emulator.openai_base,
            "api_key": "test-key",
            "timeout": 5.0,
        }
        settings.update(overrides)
        return LiteLLM(LiteLLMConfig(**settings), clock=fake_clock.clock(), cooldowns=Cooldowns())

    return make
