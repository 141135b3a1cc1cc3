"""Backoff, Retry-After and the deadline split across fallbacks, on the scripted backend and a clock
that moves only by what was waited."""

from __future__ import annotations

import pytest

from llm_resolver import LLMRateLimitError, LLMServiceError, LLMTimeoutError
from llm_resolver.testing import Fail, ScriptedBackend
from tests.helpers import MODES, call
from tests.pipeline.conftest import FALLBACK, PRIMARY, FakeClock, MakeLLM


@pytest.mark.parametrize("mode", MODES)
async def test_backoff_doubles_from_initial_wait_up_to_max_wait(
    make_llm: MakeLLM, backend: ScriptedBackend, clock: FakeClock, mode: str
) -> None:
    backend.script(PRIMARY, *[LLMServiceError] * 4)
    response = await call(make_llm(max_retries=4, retry={"initial_wait": 0.5, "max_wait": 1.5}), mode)
    assert clock.sleeps == [0.5, 1.0, 1.5, 1.5]
    assert [a.wait_s for a in response.attempts] == [0.0, 0.5, 1.0, 1.5, 1.5]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("error", [LLMRateLimitError, LLMServiceError])
async def test_retry_after_replaces_the_backoff(
    make_llm: MakeLLM, backend: ScriptedBackend, clock: FakeClock, mode: str, error: type[LLMRateLimitError]
) -> None:
    backend.script(PRIMARY, Fail(error, retry_after=7), Fail(error))
    response = await call(make_llm(max_retries=2), mode)
    assert clock.sleeps == [7.0, 1.0]  # Retry-After, then the second retry's backoff
    assert response.attempts[-1].wait_s == 1.0


async def test_jitter_spreads_each_wait_within_its_fraction(
    make_llm: MakeLLM, backend: ScriptedBackend
) -> None:
    backend.script(PRIMARY, *[LLMServiceError] * 3)
    response = await call(make_llm(max_retries=3, retry={"initial_wait": 1.0, "jitter": 0.25}), "acomplete")
    waits = [a.wait_s for a in response.attempts[1:]]
    assert [0.75 <= waits[0] <= 1.25, 1.5 <= waits[1] <= 2.5, 3.0 <= waits[2] <= 5.0] == [True] * 3


@pytest.mark.parametrize("mode", MODES)
async def test_each_model_gets_an_equal_share_of_the_deadline_and_retries_stay_within_it(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    slow = Fail(LLMTimeoutError, delay=0.6)
    backend.script(PRIMARY, slow, slow, slow)
    llm = make_llm(timeout=30, max_retries=5, fallback_models=[FALLBACK], retry={"initial_wait": 0})
    response = await call(llm, mode, deadline=2.0)
    # The primary's share is 1 s: a first try of 1 s, a retry with what is left of it, then no more.
    assert [round(s.seconds, 3) for s in backend.to(PRIMARY)] == [1.0, 0.4]
    # The fallback, last in the chain, gets all that is left of the deadline.
    assert [round(s.seconds, 3) for s in backend.to(FALLBACK)] == [0.8]
    assert response.model == FALLBACK


@pytest.mark.parametrize("mode", MODES)
async def test_no_attempt_starts_when_the_deadline_leaves_less_than_50_ms(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    backend.script(PRIMARY, Fail(LLMTimeoutError, delay=0.97))
    llm = make_llm(timeout=30, max_retries=3, fallback_models=[FALLBACK], retry={"initial_wait": 0})
    with pytest.raises(LLMTimeoutError):
        await call(llm, mode, deadline=1.0)
    assert len(backend.to(PRIMARY)) == 1
    assert backend.to(FALLBACK) == []


@pytest.mark.parametrize("mode", MODES)
async def test_a_retry_whose_wait_would_pass_the_share_moves_on_to_the_fallback(
    make_llm: MakeLLM, backend: ScriptedBackend, clock: FakeClock, mode: str
) -> None:
    backend.script(PRIMARY, Fail(LLMRateLimitError, retry_after=5))
    response = await call(make_llm(fallback_models=[FALLBACK]), mode, deadline=4.0)
    assert response.model == FALLBACK
    assert clock.sleeps == []
