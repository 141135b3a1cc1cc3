"""The pipeline on a ``ScriptedBackend`` and a clock that only moves when the code under test waits:
no HTTP, no real sleeps, so each test runs in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import LiteLLMConfig, RetryConfig
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resilience.clock import Clock
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.testing import ScriptedBackend

PRIMARY = "openai/gpt-4o-mini"
FALLBACK = "openai/gpt-4.1-mini"


class StillClock:
    """Time that passes only by what the code under test (or a scripted delay) slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, sleep=self.sleep, asleep=self.asleep)


@pytest.fixture
def clock() -> StillClock:
    return StillClock()


@pytest.fixture
def backend(clock: StillClock) -> ScriptedBackend:
    """Scripted delays pass on the same clock, without real waiting."""
    return ScriptedBackend(sleep=clock.sleep, asleep=clock.asleep)


MakeLLM = Callable[..., LiteLLM]


@pytest.fixture
def make_llm(backend: ScriptedBackend, clock: StillClock) -> MakeLLM:
    """LLMs on the scripted backend: no backoff jitter, retries waited on the still clock."""

    def make(plugins: PluginManager | None = None, **settings: Any) -> LiteLLM:
        retry = {"initial_wait": 0.5, "jitter": 0, **settings.pop("retry", {})}
        config = LiteLLMConfig(
            **{"model": PRIMARY, "api_key": "sk-test-key-123456", "retry": RetryConfig(**retry), **settings}
        )
        return LiteLLM(config, plugins=plugins, clock=clock.clock(), cooldowns=Cooldowns(), backend=backend)

    return make
