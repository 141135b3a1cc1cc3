"""Load with injected failures: every call ends (answer or typed error) and no request goes unaccounted."""

from __future__ import annotations

import asyncio
import random

import pytest

from llm_resolver import FallbackModel, LiteLLMConfig, LLMError, RetryConfig
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.testing import Fault, ProviderEmulator, Reply

CALLS = 2000
CONCURRENCY = 100
FAILURE_RATE = 0.2


@pytest.mark.soak
async def test_soak_2000_calls_at_concurrency_100(provider_emulator: ProviderEmulator) -> None:
    rng = random.Random(7)
    faults = [Fault.server_error(), Fault.rate_limit(retry_after=0.01), Fault.drop(), Fault.unavailable()]
    script = [rng.choice(faults) if rng.random() < FAILURE_RATE else Reply(text="ok") for _ in range(CALLS)]
    provider_emulator.script(*script, model="gpt-4o-mini")
    llm = LiteLLM(
        LiteLLMConfig(
            model="openai/gpt-4o-mini",
            api_base=provider_emulator.openai_base,
            api_key="k",
            timeout=10,
            max_retries=1,
            retry=RetryConfig(initial_wait=0.005, max_wait=0.02, cooldown_after=1000),
            fallback_models=[
                FallbackModel(
                    model="openai/gpt-4.1-mini", api_base=provider_emulator.openai_base, api_key="k"
                )
            ],
        ),
        cooldowns=Cooldowns(),
    )
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> int:
        async with gate:
            try:
                response = await llm.acomplete(f"call {i}")
            except LLMError as error:
                return sum(a.outcome in ("ok", "error") for a in error.attempts)
            assert response.text in ("ok", f"echo: call {i}")
            return sum(a.outcome in ("ok", "error") for a in response.attempts)

    sent = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(CALLS))), timeout=240)

    assert len(sent) == CALLS
    assert provider_emulator.request_count() == sum(sent)
    fallback_used = provider_emulator.request_count(model="gpt-4.1-mini")
    assert fallback_used > 0  # some calls failed twice on the primary and were answered by the fallback
