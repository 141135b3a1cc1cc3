"""Every decision the library takes for a call is logged (retries with their wait, fallbacks,
cool-downs, skips, budget refusals), and no log line holds a secret."""

from __future__ import annotations

import logging

import pytest

from llm_resolver import FallbackModel, LLMBudgetExceededError, RetryConfig
from llm_resolver.testing import Fault, ProviderEmulator
from tests.helpers import MakeLLM

KEY = "sk-decision-log-secret-0123456789"


def test_retries_fallbacks_and_cool_downs_are_logged_without_secrets(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    llm = make_llm(
        api_key=KEY,
        max_retries=1,
        retry=RetryConfig(initial_wait=0, jitter=0, cooldown_after=2, cooldown_s=60),
        fallback_models=[
            FallbackModel(model="openai/gpt-4.1-mini", api_base=provider_emulator.openai_base, api_key="fb")  # type: ignore[arg-type]
        ],
    )
    provider_emulator.script(Fault.server_error(), Fault.server_error(), model="gpt-4o-mini")
    with caplog.at_level(logging.DEBUG, logger="llm_resolver"):
        llm.complete("one")
        llm.complete("two")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("llm_resolver")]
    assert any(
        "attempt 1 of the call on openai/gpt-4o-mini failed: LLMServiceError" in line for line in lines
    )
    assert any(line.startswith("retrying openai/gpt-4o-mini in 0.00s") for line in lines)
    assert any("cooling openai/gpt-4o-mini down for 60s after 2 failures" in line for line in lines)
    assert any("openai/gpt-4o-mini gave up after LLMServiceError" in line for line in lines)
    assert any(line.startswith("skipping openai/gpt-4o-mini: cooling down") for line in lines)
    assert not any(KEY in r.getMessage() or KEY in str(r.args) for r in caplog.records)


def test_a_budget_refusal_is_logged(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    llm = make_llm(budget_usd=0.0)
    with caplog.at_level(logging.INFO, logger="llm_resolver"), pytest.raises(LLMBudgetExceededError):
        llm.complete("hi")
    assert any(
        r.name == "llm_resolver.metering" and "budget refused a call at */*/*" in r.getMessage()
        for r in caplog.records
    )
