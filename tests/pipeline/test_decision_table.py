"""Every row of the decision table (docs/reliability.md) in every call mode, on the scripted
backend: what is retried on the same model, what falls back at once, what ends the call."""

from __future__ import annotations

import pytest

from llm_resolver import (
    ImagePart,
    LLMAuthenticationError,
    LLMBadRequestError,
    LLMCapabilityError,
    LLMConnectionError,
    LLMContentPolicyError,
    LLMContextWindowError,
    LLMError,
    LLMFallbacksExhaustedError,
    LLMRateLimitError,
    LLMResponseError,
    LLMServiceError,
    LLMTimeoutError,
    Message,
)
from llm_resolver.testing import Cut, Fail, Reply, ScriptedBackend
from tests.helpers import MODES, FakeClock, call
from tests.pipeline.conftest import FALLBACK, PRIMARY, MakeLLM

RETRIED = [LLMRateLimitError, LLMTimeoutError, LLMConnectionError, LLMServiceError, LLMResponseError]
FALLS_BACK_AT_ONCE = [LLMAuthenticationError, LLMBadRequestError]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("error", RETRIED)
async def test_transient_errors_are_retried_on_the_same_model_then_fall_back(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str, error: type[LLMError]
) -> None:
    backend.script(PRIMARY, error, error, error)
    response = await call(make_llm(max_retries=2, fallback_models=[FALLBACK]), mode)
    assert len(backend.to(PRIMARY)) == 3
    assert len(backend.to(FALLBACK)) == 1
    assert response.model == FALLBACK
    assert [(a.model, a.outcome, a.error_type) for a in response.attempts] == [
        (PRIMARY, "error", error.__name__),
        (PRIMARY, "error", error.__name__),
        (PRIMARY, "error", error.__name__),
        (FALLBACK, "ok", None),
    ]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("error", RETRIED)
async def test_a_transient_error_then_success_answers_from_the_same_model(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str, error: type[LLMError]
) -> None:
    backend.script(PRIMARY, error)
    response = await call(make_llm(fallback_models=[FALLBACK]), mode)
    assert response.model == PRIMARY
    assert len(backend.to(PRIMARY)) == 2
    assert backend.to(FALLBACK) == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("error", FALLS_BACK_AT_ONCE)
async def test_auth_and_bad_request_fall_back_at_once(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str, error: type[LLMError]
) -> None:
    backend.script(PRIMARY, error)
    response = await call(make_llm(max_retries=2, fallback_models=[FALLBACK]), mode)
    assert len(backend.to(PRIMARY)) == 1
    assert response.model == FALLBACK


@pytest.mark.parametrize("mode", MODES)
async def test_a_retry_after_above_the_cap_falls_back_without_waiting(
    make_llm: MakeLLM, backend: ScriptedBackend, clock: FakeClock, mode: str
) -> None:
    backend.script(PRIMARY, Fail(LLMRateLimitError, retry_after=120))
    response = await call(make_llm(fallback_models=[FALLBACK], retry={"retry_after_cap": 30}), mode)
    assert response.model == FALLBACK
    assert len(backend.to(PRIMARY)) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("mode", MODES)
async def test_a_context_window_error_skips_to_the_first_fallback_with_a_larger_context(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    small, large = "openai/small-context", "openai/large-context"
    backend.script(PRIMARY, LLMContextWindowError)
    llm = make_llm(
        max_retries=2,
        fallback_models=[small, large],
        model_info={small: {"max_input_tokens": 1000}, large: {"max_input_tokens": 1_000_000}},
    )
    response = await call(llm, mode)
    assert len(backend.to(PRIMARY)) == 1
    assert backend.to(small) == []
    assert response.model == large
    assert [(a.model, a.outcome) for a in response.attempts] == [
        (PRIMARY, "error"),
        (small, "skipped"),
        (large, "ok"),
    ]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("step", [LLMContentPolicyError, Reply(text="", finish_reason="content_filter")])
async def test_content_policy_ends_the_call_unless_configured_to_fall_back(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str, step: object
) -> None:
    backend.script(PRIMARY, step)  # type: ignore[arg-type]
    with pytest.raises(LLMContentPolicyError):
        await call(make_llm(max_retries=2, fallback_models=[FALLBACK]), mode)
    assert len(backend.to(PRIMARY)) == 1
    assert backend.to(FALLBACK) == []

    backend.script(PRIMARY, step)  # type: ignore[arg-type]
    llm = make_llm(fallback_models=[FALLBACK], retry={"fallback_on_content_policy": True})
    assert (await call(llm, mode)).model == FALLBACK


@pytest.mark.parametrize("mode", MODES)
async def test_images_to_a_text_only_model_are_refused_before_any_request(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    llm = make_llm(model_info={PRIMARY: {"supports_vision": False}})
    image = ImagePart(url="data:image/png;base64,iVBORw0KGgo=")
    with pytest.raises(LLMCapabilityError):
        await call(llm, mode, [Message.user("what is this?", images=[image])])
    assert backend.sent == []


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_stream_that_ends_before_content_without_its_finish_is_retried(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    backend.script(PRIMARY, Cut(after_chunks=0))
    response = await call(make_llm(), mode)
    assert len(backend.to(PRIMARY)) == 2
    assert [(a.outcome, a.error_type) for a in response.attempts] == [
        ("error", "LLMResponseError"),
        ("ok", None),
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_without_fallbacks_the_last_error_itself_is_raised_with_its_attempts(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    backend.script(PRIMARY, LLMServiceError, LLMServiceError)
    with pytest.raises(LLMServiceError) as caught:
        await call(make_llm(max_retries=1), mode)
    assert [a.outcome for a in caught.value.attempts] == ["error", "error"]


@pytest.mark.parametrize("mode", MODES)
async def test_when_every_model_fails_the_call_raises_fallbacks_exhausted(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    backend.script(PRIMARY, LLMAuthenticationError)
    backend.script(FALLBACK, LLMServiceError)
    with pytest.raises(LLMFallbacksExhaustedError) as caught:
        await call(make_llm(max_retries=0, fallback_models=[FALLBACK]), mode)
    assert isinstance(caught.value.last_error, LLMServiceError)
    assert [(a.model, a.error_type) for a in caught.value.attempts] == [
        (PRIMARY, "LLMAuthenticationError"),
        (FALLBACK, "LLMServiceError"),
    ]
