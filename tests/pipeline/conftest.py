"""The pipeline on a ``ScriptedBackend`` and a clock that only moves when the code under test waits:
no HTTP, no real sleeps, so each test runs in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import LiteLLMConfig, RetryConfig
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.testing import ScriptedBackend
from tests.helpers import FakeClock

PRIMARY = "openai/gpt-4o-mini"
FALLBACK = "openai/gpt-4.1-mini"


@pytest.fixture
def clock() -> FakeClock:
    """Time that passes only by what the code under test (or a scripted delay) slept."""
    return FakeClock(start=1000.0)


@pytest.fixture
def backend(clock: FakeClock) -> ScriptedBackend:
    """Scripted delays pass on the same clock, without real waiting."""
    return ScriptedBackend(sleep=clock.sleep, asleep=clock.asleep)


MakeLLM = Callable[..., LiteLLM]


@pytest.fixture
def make_llm(backend: ScriptedBackend, clock: FakeClock) -> MakeLLM:
    """LLMs on the scripted backend: no backoff jitter, retries waited on the still clock."""

    def make(plugins: PluginManager | None = None, **settings: Any) -> LiteLLM:
        retry = {"initial_wait": 0.5, "jitter": 0, **settings.pop("retry", {})}
        config = LiteLLMConfig(
            **{"model": PRIMARY, "api_key": "sk-test-key-123456", "retry": RetryConfig(**retry), **settings}
        )
        return LiteLLM(config, plugins=plugins, clock=clock.clock(), cooldowns=Cooldowns(), backend=backend)

    return make
