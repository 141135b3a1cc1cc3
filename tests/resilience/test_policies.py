"""The finer rules: Retry-After caps, deadlines, context-window skips, content policy, cool-downs."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from llm_resolver import (
    FallbackModel,
    LiteLLM,
    LiteLLMConfig,
    LLMContentPolicyError,
    LLMContextWindowError,
    LLMError,
    LLMFallbacksExhaustedError,
    LLMRateLimitError,
    LLMServiceError,
    LLMTimeoutError,
    RetryConfig,
)
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.testing import Fault, ProviderEmulator, Reply
from tests.helpers import MODES, PROVIDERS, MakeLLM, call

from .conftest import FakeClock


def _fallback(emu: ProviderEmulator, model: str = "openai/gpt-4.1-mini", **kw: object) -> FallbackModel:
    return FallbackModel(model=model, api_base=emu.openai_base, api_key="fb", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
async def test_retry_after_beyond_the_cap_moves_on_without_waiting(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, fake_clock: FakeClock, mode: str
) -> None:
    llm = make_llm(retry=RetryConfig(retry_after_cap=10), fallback_models=[_fallback(provider_emulator)])
    provider_emulator.script(Fault.rate_limit(retry_after=60), model="gpt-4o-mini")

    response = await call(llm, mode)

    assert fake_clock.sleeps == []
    assert [a.outcome for a in response.attempts] == ["error", "ok"]
    assert provider_emulator.request_count(model="gpt-4o-mini") == 1


async def test_retry_after_is_exposed_on_the_error(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(max_retries=0)
    provider_emulator.script(Fault.rate_limit(retry_after=7))

    with pytest.raises(LLMRateLimitError) as info:
        llm.complete("hi")

    assert info.value.retry_after == 7
    assert info.value.status_code == 429


@pytest.mark.parametrize("mode", MODES)
async def test_a_hung_primary_leaves_its_fallback_a_share_of_the_deadline(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    """Each model of the chain gets an equal share of what is left of the deadline when it starts:
    the hung primary is given up at about half of it, and the healthy fallback answers in time."""
    llm = make_llm(timeout=5, max_retries=5, fallback_models=[_fallback(provider_emulator, timeout=5)])
    provider_emulator.script(*[Fault.slow(3)] * 6, model="gpt-4o-mini")
    started = time.monotonic()

    response = await call(llm, mode, deadline=1.0)

    elapsed = time.monotonic() - started
    assert elapsed < 1.0, elapsed
    assert response.model == "openai/gpt-4.1-mini"
    assert [(a.model, a.outcome) for a in response.attempts] == [
        ("openai/gpt-4o-mini", "error"),
        ("openai/gpt-4.1-mini", "ok"),
    ]
    assert provider_emulator.request_count(model="gpt-4o-mini") == 1


@pytest.mark.parametrize("mode", MODES)
async def test_the_deadline_bounds_the_whole_call_in_real_time(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(timeout=5, max_retries=5, fallback_models=[_fallback(provider_emulator, timeout=5)])
    provider_emulator.script(*[Fault.slow(3)] * 12)
    started = time.monotonic()

    with pytest.raises(LLMFallbacksExhaustedError) as caught:
        await call(llm, mode, deadline=0.6)

    assert time.monotonic() - started < 1.2
    assert isinstance(caught.value.last_error, LLMTimeoutError)
    assert provider_emulator.request_count() == 2  # one attempt per model, each within its share


@pytest.mark.parametrize("provider", ["openai", "gemini"])
@pytest.mark.parametrize("mode", MODES)
async def test_calls_under_a_deadline_share_one_litellm_client(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any], provider: str, mode: str
) -> None:
    """Each call's share of its deadline differs. Given to LiteLLM as the request timeout, it keyed a
    new client for every call (LiteLLM caches OpenAI and Gemini clients by timeout, 200 of them):
    about a fifth more CPU per call. The executor bounds the attempt instead."""
    import litellm

    model, base = PROVIDERS[provider]
    settings = {**emulator_settings, "model": model, "api_base": getattr(provider_emulator, base)}
    llm = LiteLLM(LiteLLMConfig(**settings, deadline=3), cooldowns=Cooldowns())  # under its timeout, 5
    before = len(litellm.in_memory_llm_clients_cache.cache_dict)

    for _ in range(4):
        await call(llm, mode)

    assert provider_emulator.request_count() == 4
    added = len(litellm.in_memory_llm_clients_cache.cache_dict) - before
    assert added <= 1, f"{added} clients for 4 calls"


def test_a_sync_attempt_the_deadline_gave_up_on_ends_soon_after(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any]
) -> None:
    """A sync attempt runs on a thread of its own, which the call stops waiting for at its share of
    the deadline. The thread runs on until a read times out, so LiteLLM is given the share rounded up
    to a second, not the model's timeout (5 s here, longer than the provider takes to answer)."""
    provider_emulator.script(Fault.slow(4))
    settings = {**emulator_settings, "timeout": 5, "max_retries": 0}
    llm = LiteLLM(LiteLLMConfig(**settings, deadline=0.5), cooldowns=Cooldowns())

    with pytest.raises(LLMError):
        llm.complete("hello")

    def lingering() -> bool:
        return any(t.name == "llm-resolver-attempt" for t in threading.enumerate())

    until = time.monotonic() + 2.5
    while lingering() and time.monotonic() < until:
        time.sleep(0.05)
    assert not lingering()


@pytest.mark.parametrize("mode", MODES)
async def test_no_retry_starts_when_its_wait_would_pass_the_deadline(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, fake_clock: FakeClock, mode: str
) -> None:
    llm = make_llm(max_retries=3, deadline=5)
    provider_emulator.script(Fault.rate_limit(retry_after=4), Fault.rate_limit(retry_after=4))

    with pytest.raises(LLMRateLimitError):
        await call(llm, mode)

    assert fake_clock.sleeps == [4]
    assert provider_emulator.request_count() == 2


@pytest.mark.parametrize("mode", MODES)
async def test_context_window_skips_fallbacks_known_to_be_smaller(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(
        model="openai/gpt-4o-mini",
        fallback_models=[
            _fallback(provider_emulator, "openai/gpt-3.5-turbo"),  # 16k: smaller, skipped
            _fallback(provider_emulator, "openai/gpt-4.1-mini"),  # 1M: used
        ],
    )
    provider_emulator.script(Fault.context_window(), model="gpt-4o-mini")

    response = await call(llm, mode)

    assert [(a.model, a.outcome) for a in response.attempts] == [
        ("openai/gpt-4o-mini", "error"),
        ("openai/gpt-3.5-turbo", "skipped"),
        ("openai/gpt-4.1-mini", "ok"),
    ]
    assert "context window" in (response.attempts[1].detail or "")
    assert provider_emulator.request_count(model="gpt-3.5-turbo") == 0


async def test_context_window_with_only_smaller_fallbacks_raises(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(model="openai/gpt-4o-mini", fallback_models=[_fallback(provider_emulator, "openai/gpt-4")])
    provider_emulator.script(Fault.context_window())

    with pytest.raises(LLMFallbacksExhaustedError) as info:
        llm.complete("hi")

    assert isinstance(info.value.last_error, LLMContextWindowError)
    assert provider_emulator.request_count() == 1


async def test_content_policy_falls_back_only_when_configured(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    strict = make_llm(fallback_models=[_fallback(provider_emulator)])
    provider_emulator.script(Fault.content_policy(), model="gpt-4o-mini")
    with pytest.raises(LLMContentPolicyError):
        strict.complete("hi")

    lenient = make_llm(
        fallback_models=[_fallback(provider_emulator)], retry=RetryConfig(fallback_on_content_policy=True)
    )
    provider_emulator.script(Fault.content_policy(), model="gpt-4o-mini")
    response = lenient.complete("hi")
    assert response.model == "openai/gpt-4.1-mini"


# How Gemini answers a request its safety filter blocks: HTTP 200, the prompt's block reason, or a
# candidate finished by SAFETY with no content. LiteLLM turns both into an empty "content_filter" reply.
_SAFETY = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}]
GEMINI_BLOCKS = {
    "prompt-blocked": {
        "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": _SAFETY},
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
    },
    "reply-blocked": {
        "candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": _SAFETY}],
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
    },
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("block", GEMINI_BLOCKS)
async def test_a_gemini_safety_block_is_a_content_policy_refusal(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, block: str, mode: str
) -> None:
    model, base = PROVIDERS["gemini"]
    gemini = {"model": model, "api_base": getattr(provider_emulator, base)}
    strict = make_llm(**gemini, fallback_models=[_fallback(provider_emulator)])
    provider_emulator.script(Reply(json=GEMINI_BLOCKS[block]), model="gemini-2.5-flash")
    with pytest.raises(LLMContentPolicyError, match="content filter withheld") as info:
        await call(strict, mode)
    assert [a.error_type for a in info.value.attempts] == ["LLMContentPolicyError"]
    assert provider_emulator.request_count(model="gpt-4.1-mini") == 0

    lenient = make_llm(
        **gemini,
        fallback_models=[_fallback(provider_emulator)],
        retry=RetryConfig(fallback_on_content_policy=True),
    )
    provider_emulator.script(Reply(json=GEMINI_BLOCKS[block]), model="gemini-2.5-flash")
    response = await call(lenient, mode)
    assert response.model == "openai/gpt-4.1-mini"
    assert response.text == "echo: hello"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_empty_reply_finished_by_the_content_filter_is_refused_in_every_format(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, provider: str, mode: str
) -> None:
    """OpenAI's content_filter, Anthropic's refusal and Gemini's SAFETY finish, with nothing delivered."""
    model, base = PROVIDERS[provider]
    llm = make_llm(model=model, api_base=getattr(provider_emulator, base), max_retries=2)
    provider_emulator.script(Reply(text="", finish_reason="content_filter"))

    with pytest.raises(LLMContentPolicyError):
        await call(llm, mode)

    assert provider_emulator.request_count() == 1  # not retried


async def test_a_failing_model_is_cooled_down_and_skipped_by_later_calls(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, fake_clock: FakeClock
) -> None:
    llm = make_llm(
        max_retries=1,
        retry=RetryConfig(cooldown_after=2, cooldown_s=60),
        fallback_models=[_fallback(provider_emulator)],
    )
    provider_emulator.script(Fault.server_error(), Fault.server_error(), model="gpt-4o-mini")

    first = llm.complete("one")
    second = llm.complete("two")

    assert [a.outcome for a in first.attempts] == ["error", "error", "ok"]
    assert [(a.model, a.outcome) for a in second.attempts] == [
        ("openai/gpt-4o-mini", "skipped"),
        ("openai/gpt-4.1-mini", "ok"),
    ]
    assert provider_emulator.request_count(model="gpt-4o-mini") == 2

    fake_clock.offset += 61  # the cool-down ends
    third = llm.complete("three")
    assert third.model == "openai/gpt-4o-mini"


async def test_when_every_model_is_cooling_they_are_still_tried(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(max_retries=0, retry=RetryConfig(cooldown_after=1, cooldown_s=60))
    provider_emulator.script(Fault.server_error())
    with pytest.raises(LLMServiceError):
        llm.complete("one")

    assert llm.complete("two").text == "echo: two"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("provider", "fault", "error", "status", "retry_after"),
    [
        ("anthropic", Fault.unavailable(), LLMServiceError, 503, None),
        ("anthropic", Fault(status=503, retry_after=3), LLMServiceError, 503, 3),
        ("anthropic", Fault(status=529), LLMServiceError, 529, None),  # overloaded
        ("gemini", Fault.unavailable(), LLMServiceError, 503, None),
        ("gemini", Fault(status=503, retry_after=3), LLMServiceError, 503, 3),
        ("gemini", Fault(status=529), LLMServiceError, 529, None),
        ("anthropic", Fault.rate_limit(retry_after=3), LLMRateLimitError, 429, 3),
        ("gemini", Fault.rate_limit(retry_after=3), LLMRateLimitError, 429, 3),
        ("anthropic", Fault.content_policy(), LLMContentPolicyError, 400, None),
        ("gemini", Fault.context_window(), LLMContextWindowError, 400, None),
    ],
)
async def test_other_providers_map_to_the_same_taxonomy(
    provider_emulator: ProviderEmulator,
    make_llm: MakeLLM,
    provider: str,
    fault: Fault,
    error: type[LLMError],
    status: int,
    retry_after: float | None,
    mode: str,
) -> None:
    """The same class, the real status and the Retry-After in every call mode (a Gemini stream's HTTP
    error comes wrapped in LiteLLM's MidStreamFallbackError; Anthropic's 529 as a 500)."""
    model, base = PROVIDERS[provider]
    llm = make_llm(model=model, api_base=getattr(provider_emulator, base), max_retries=0)
    provider_emulator.script(fault)

    with pytest.raises(error) as info:
        await call(llm, mode, "hi")

    assert info.value.status_code == status
    assert getattr(info.value, "retry_after", None) == retry_after
    assert info.value.retryable is isinstance(info.value, LLMServiceError | LLMRateLimitError)
    assert provider_emulator.request_count() == 1


async def test_per_fallback_timeout_applies(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    llm = make_llm(
        max_retries=0, timeout=5, fallback_models=[_fallback(provider_emulator, timeout=0.3, max_retries=0)]
    )
    provider_emulator.script(Fault.server_error(), model="gpt-4o-mini")
    provider_emulator.script(Reply(delay=2), model="gpt-4.1-mini")

    with pytest.raises(LLMFallbacksExhaustedError) as info:
        llm.complete("hi")

    assert [a.error_type for a in info.value.attempts] == ["LLMServiceError", "LLMTimeoutError"]
    assert info.value.attempts[1].latency_s < 1.5


async def test_headers_follow_their_endpoint_only(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(
        max_retries=0,
        extra_headers={"X-Tenant": "primary-secret"},
        fallback_models=[
            "openai/gpt-4.1-mini",  # same provider: same endpoint, same headers
            {
                "model": "anthropic/claude-haiku-4-5",
                "api_base": provider_emulator.anthropic_base,
                "api_key": "anthropic-key",
                "extra_headers": {"X-Other": "fallback-secret"},
            },
        ],
    )
    provider_emulator.script(Fault.server_error(), model="gpt-4o-mini")
    provider_emulator.script(Fault.server_error(), model="gpt-4.1-mini")

    response = llm.complete("hi")

    assert response.model == "anthropic/claude-haiku-4-5"
    first, second, third = provider_emulator.requests
    assert first.headers["x-tenant"] == second.headers["x-tenant"] == "primary-secret"
    assert "x-tenant" not in third.headers
    assert third.headers["x-other"] == "fallback-secret"
