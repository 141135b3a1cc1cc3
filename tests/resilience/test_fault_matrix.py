"""Every fault × every call mode × with and without a fallback: outcome, request count and waits."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from llm_resolver import (
    FallbackModel,
    LLMAuthenticationError,
    LLMBadRequestError,
    LLMConnectionError,
    LLMContentPolicyError,
    LLMContextWindowError,
    LLMError,
    LLMFallbacksExhaustedError,
    LLMRateLimitError,
    LLMResponseError,
    LLMServiceError,
    LLMTimeoutError,
)
from llm_resolver.testing import Fault, ProviderEmulator
from tests.helpers import MODES, PROVIDERS, MakeLLM, call

from .conftest import FakeClock

PRIMARY = "gpt-4o-mini"
FALLBACK = "gpt-4.1-mini"  # a larger context than the primary, so context-window errors may use it


@dataclass(frozen=True)
class Case:
    name: str
    fault: Fault
    error: type[LLMError]
    retried: bool
    falls_back: bool = True
    retry_after: float | None = None


CASES = [
    Case("401", Fault.auth(), LLMAuthenticationError, retried=False),
    Case("400", Fault.bad_request("unsupported parameter: foo"), LLMBadRequestError, retried=False),
    Case("context-window", Fault.context_window(), LLMContextWindowError, retried=False),
    Case("content-policy", Fault.content_policy(), LLMContentPolicyError, retried=False, falls_back=False),
    Case(
        "429-retry-after", Fault.rate_limit(retry_after=2), LLMRateLimitError, retried=True, retry_after=2.0
    ),
    Case("429", Fault.rate_limit(), LLMRateLimitError, retried=True),
    Case("500", Fault.server_error(), LLMServiceError, retried=True),
    Case("503", Fault.unavailable(), LLMServiceError, retried=True),
    Case("slow", Fault.slow(2.0), LLMTimeoutError, retried=True),
    Case("drop", Fault.drop(), LLMConnectionError, retried=True),
    Case("malformed", Fault.malformed(), LLMResponseError, retried=True),
]

MAX_RETRIES = 2


def _llm(make_llm: MakeLLM, emu: ProviderEmulator, case: Case, fallback: bool):
    fallbacks = [FallbackModel(model=f"openai/{FALLBACK}", api_base=emu.openai_base, api_key="fb-key")]
    return make_llm(
        max_retries=MAX_RETRIES,
        timeout=0.5 if case.name == "slow" else 5.0,
        fallback_models=fallbacks if fallback else [],
    )


def _check_waits(clock: FakeClock, case: Case, retries: int) -> None:
    assert len(clock.sleeps) == retries
    if case.retry_after is not None:
        assert clock.sleeps == [case.retry_after] * retries
    else:
        # Exponential backoff from 0.5 s with ±25 % jitter.
        for n, wait in enumerate(clock.sleeps, start=1):
            base = 0.5 * 2 ** (n - 1)
            assert base * 0.75 <= wait <= base * 1.25


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_fault_without_fallback(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, fake_clock: FakeClock, case: Case, mode: str
) -> None:
    llm = _llm(make_llm, provider_emulator, case, fallback=False)
    provider_emulator.script(*[case.fault] * (MAX_RETRIES + 1), model=PRIMARY)

    with pytest.raises(case.error) as info:
        await call(llm, mode)

    attempts = MAX_RETRIES + 1 if case.retried else 1
    assert provider_emulator.request_count(model=PRIMARY) == attempts
    assert [a.outcome for a in info.value.attempts] == ["error"] * attempts
    assert info.value.retryable is case.retried
    assert "test-key" not in str(info.value)
    _check_waits(fake_clock, case, attempts - 1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_fault_with_fallback(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, fake_clock: FakeClock, case: Case, mode: str
) -> None:
    llm = _llm(make_llm, provider_emulator, case, fallback=True)
    provider_emulator.script(*[case.fault] * (MAX_RETRIES + 1), model=PRIMARY)
    primary_attempts = MAX_RETRIES + 1 if case.retried else 1

    if not case.falls_back:
        with pytest.raises(case.error):
            await call(llm, mode)
        assert provider_emulator.request_count(model=FALLBACK) == 0
        return

    response = await call(llm, mode)

    assert response.text == "echo: hello"
    assert response.model == f"openai/{FALLBACK}"
    assert provider_emulator.request_count(model=PRIMARY) == primary_attempts
    assert provider_emulator.request_count(model=FALLBACK) == 1
    assert [a.outcome for a in response.attempts] == ["error"] * primary_attempts + ["ok"]
    assert {a.error_type for a in response.attempts[:-1]} == {case.error.__name__}
    assert provider_emulator.requests[-1].headers["authorization"] == "Bearer fb-key"
    _check_waits(fake_clock, case, primary_attempts - 1)


@pytest.mark.parametrize("mode", MODES)
async def test_every_model_failing_raises_exhausted_with_all_attempts(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(
        max_retries=1,
        fallback_models=[
            FallbackModel(model=f"openai/{FALLBACK}", api_base=provider_emulator.openai_base, api_key="k")
        ],
    )
    provider_emulator.script(Fault.server_error(), Fault.server_error(), model=PRIMARY)
    provider_emulator.script(Fault.auth(), model=FALLBACK)

    with pytest.raises(LLMFallbacksExhaustedError) as info:
        await call(llm, mode)

    err = info.value
    assert [(a.model, a.error_type) for a in err.attempts] == [
        (f"openai/{PRIMARY}", "LLMServiceError"),
        (f"openai/{PRIMARY}", "LLMServiceError"),
        (f"openai/{FALLBACK}", "LLMAuthenticationError"),
    ]
    assert isinstance(err.last_error, LLMAuthenticationError)
    assert provider_emulator.request_count() == 3


@pytest.mark.parametrize("mode", MODES)
async def test_recovers_on_retry_and_records_the_wait(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, fake_clock: FakeClock, mode: str
) -> None:
    llm = make_llm(max_retries=3)
    provider_emulator.script(Fault.rate_limit(retry_after=1.5), Fault.server_error(), model=PRIMARY)

    response = await call(llm, mode)

    assert response.text == "echo: hello"
    assert [a.outcome for a in response.attempts] == ["error", "error", "ok"]
    assert response.attempts[1].wait_s == 1.5
    assert 0.75 <= response.attempts[2].wait_s <= 1.25  # second retry: 1.0 s ± jitter
    assert provider_emulator.request_count() == 3


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_mid_stream_drop_raises_with_partial_text_and_no_retry(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(
        max_retries=2,
        fallback_models=[
            FallbackModel(model=f"openai/{FALLBACK}", api_base=provider_emulator.openai_base, api_key="k")
        ],
    )
    provider_emulator.script(Fault.drop_mid_stream(after_chunks=2), model=PRIMARY)
    seen: list[str] = []

    async def drain() -> None:
        if mode == "stream":
            seen.extend(chunk.text for chunk in llm.stream("one two three four five six"))
        else:
            async for chunk in llm.astream("one two three four five six"):
                seen.append(chunk.text)

    with pytest.raises(LLMConnectionError) as info:
        await drain()

    assert seen, "the chunks before the drop reach the caller"
    assert info.value.partial_text == "".join(seen)
    assert provider_emulator.request_count() == 1  # no retry, no fallback after the first chunk


@pytest.mark.parametrize("mode", ["complete", "acomplete"])
async def test_body_cut_short_is_retried(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(max_retries=1)
    provider_emulator.script(Fault.drop_mid_stream(), model=PRIMARY)

    response = await call(llm, mode)

    assert response.text == "echo: hello"
    assert provider_emulator.request_count() == 2
    assert response.attempts[0].error_type in {"LLMConnectionError", "LLMResponseError"}


@pytest.mark.parametrize("mode", MODES)
async def test_connection_refused_falls_back(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, unused_tcp_port: int, mode: str
) -> None:
    llm = make_llm(
        api_base=f"http://127.0.0.1:{unused_tcp_port}/v1",
        max_retries=1,
        fallback_models=[
            FallbackModel(model=f"openai/{FALLBACK}", api_base=provider_emulator.openai_base, api_key="k")
        ],
    )

    response = await call(llm, mode)

    assert [a.error_type for a in response.attempts[:-1]] == ["LLMConnectionError"] * 2
    assert response.model == f"openai/{FALLBACK}"
    assert provider_emulator.request_count() == 1


@pytest.mark.parametrize("mode", MODES)
async def test_missing_key_is_an_auth_error_not_retried(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = make_llm(api_key=None, max_retries=2)

    with pytest.raises(LLMAuthenticationError, match="api_key"):
        await call(llm, mode)

    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("mode", MODES)
async def test_every_wire_format_honours_the_timeout_in_every_mode(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    """A stalled provider fails in about ``timeout`` seconds whatever its wire format and call mode
    (LiteLLM's sync Gemini stream used to wait for the stall to end: 8 s here, 30 s in the field)."""
    for model, base in PROVIDERS.values():
        provider_emulator.reset()
        llm = make_llm(model=model, api_base=getattr(provider_emulator, base), timeout=1.0, max_retries=0)
        provider_emulator.script(Fault.slow(8.0))
        started = time.monotonic()
        with pytest.raises(LLMTimeoutError):
            await call(llm, mode, deadline=4)
        assert time.monotonic() - started < 3.0, (model, mode)
