"""Cool-downs on the scripted backend: a failing endpoint is skipped while a later one is healthy,
and the last target a call has left is always tried."""

from __future__ import annotations

import pytest

from llm_resolver import LLMAuthenticationError, LLMFallbacksExhaustedError, LLMServiceError
from llm_resolver.testing import ScriptedBackend
from tests.helpers import MODES, call
from tests.pipeline.conftest import FALLBACK, PRIMARY, MakeLLM

COOL = {"cooldown_after": 2, "cooldown_s": 30, "initial_wait": 0}


@pytest.mark.parametrize("mode", MODES)
async def test_a_cooling_target_is_skipped_while_a_later_one_is_not(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    llm = make_llm(max_retries=1, fallback_models=[FALLBACK], retry=COOL)
    backend.script(PRIMARY, LLMServiceError, LLMServiceError)
    await call(llm, mode)  # two failures in a row: the primary cools down
    response = await call(llm, mode)
    assert len(backend.to(PRIMARY)) == 2
    assert [(a.model, a.outcome) for a in response.attempts] == [(PRIMARY, "skipped"), (FALLBACK, "ok")]
    assert "cooling down" in (response.attempts[0].detail or "")


@pytest.mark.parametrize("mode", MODES)
async def test_the_last_target_is_tried_even_while_cooling(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    llm = make_llm(max_retries=1, retry=COOL)
    backend.script(PRIMARY, LLMServiceError, LLMServiceError)
    with pytest.raises(LLMServiceError):
        await call(llm, mode)
    response = await call(llm, mode)
    assert len(backend.to(PRIMARY)) == 3
    assert response.model == PRIMARY


async def test_when_every_target_cools_the_chain_is_tried_from_its_last(
    make_llm: MakeLLM, backend: ScriptedBackend
) -> None:
    llm = make_llm(max_retries=1, fallback_models=[FALLBACK], retry=COOL)
    backend.script(PRIMARY, *[LLMServiceError] * 2)
    backend.script(FALLBACK, *[LLMServiceError] * 2)
    with pytest.raises(LLMFallbacksExhaustedError):
        await call(llm, "acomplete")
    response = await call(llm, "acomplete")
    # The primary is not skipped: no later target is healthy, so skipping would leave the call nothing.
    assert response.model == PRIMARY


async def test_errors_that_are_not_retryable_start_no_cool_down(
    make_llm: MakeLLM, backend: ScriptedBackend
) -> None:
    llm = make_llm(max_retries=0, fallback_models=[FALLBACK], retry={**COOL, "cooldown_after": 1})
    backend.script(PRIMARY, LLMAuthenticationError)
    await call(llm, "complete")
    response = await call(llm, "complete")
    assert response.model == PRIMARY


async def test_cooldown_s_zero_opts_out(make_llm: MakeLLM, backend: ScriptedBackend) -> None:
    llm = make_llm(
        max_retries=0, fallback_models=[FALLBACK], retry={**COOL, "cooldown_after": 1, "cooldown_s": 0}
    )
    backend.script(PRIMARY, LLMServiceError)
    await call(llm, "complete")
    assert (await call(llm, "complete")).model == PRIMARY
