"""A request known not to fit is refused before any request, or sent to a fallback large enough."""

from __future__ import annotations

import base64

import pytest

from llm_resolver import FallbackModel, LLMContextWindowError, Message
from llm_resolver.testing import ProviderEmulator
from tests.helpers import MODES, MakeLLM, call

pytestmark = pytest.mark.usefixtures("litellm_async_clients")

TINY, BIG = "openai/tiny-local", "openai/big-local"
LIMITS = {TINY: {"max_input_tokens": 50}, BIG: {"max_input_tokens": 10_000}}
LONG = "word " * 200  # about 200 tokens


@pytest.mark.parametrize("mode", MODES)
async def test_a_prompt_that_cannot_fit_is_refused_without_a_request(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(model=TINY, model_info=LIMITS)

    with pytest.raises(LLMContextWindowError) as info:
        await call(llm, mode, LONG)

    assert provider_emulator.request_count() == 0
    assert "tiny-local holds 50" in str(info.value)
    assert "Nothing was sent" in str(info.value)
    assert [(a.model, a.outcome) for a in info.value.attempts] == [(TINY, "skipped")]
    assert not info.value.retryable


@pytest.mark.parametrize("mode", MODES)
async def test_max_tokens_counts_against_the_window(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    # gpt-4o-mini's window in LiteLLM's map is 128,000 tokens.
    with pytest.raises(LLMContextWindowError, match="128000"):
        await call(make_llm(), mode, "hi", max_tokens=200_000)

    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("mode", MODES)
async def test_a_large_enough_fallback_gets_the_request(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(model=TINY, fallback_models=[BIG], model_info=LIMITS)

    response = await call(llm, mode, LONG)

    assert response.model == BIG
    assert [(a.model, a.outcome) for a in response.attempts] == [(TINY, "skipped"), (BIG, "ok")]
    assert [r.model for r in provider_emulator.requests] == ["big-local"]


async def test_every_model_too_small_is_listed(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(
        model=TINY,
        fallback_models=[FallbackModel(model="openai/small-local", api_key="k")],
        model_info={**LIMITS, "openai/small-local": {"max_input_tokens": 100}},
    )

    with pytest.raises(LLMContextWindowError) as info:
        llm.complete(LONG)

    assert "tiny-local holds 50" in str(info.value)
    assert "small-local holds 100" in str(info.value)
    assert len(info.value.attempts) == 2
    assert provider_emulator.request_count() == 0


async def test_a_prompt_that_fits_goes_out_as_usual(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    response = make_llm(model=TINY, model_info=LIMITS).complete("hello")

    assert [a.outcome for a in response.attempts] == ["ok"]
    assert provider_emulator.request_count() == 1


async def test_a_model_of_unknown_size_is_not_checked(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    make_llm(model="openai/unmapped-model").complete(LONG * 50)

    assert provider_emulator.request_count() == 1


async def test_images_are_left_to_the_provider(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    # Only what certainly does not fit is refused: a large image alone does not make it certain.
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(20_000)).decode()
    request = [Message.user("what is this?", images=[f"data:image/png;base64,{png}"])]

    make_llm(model=TINY, model_info=LIMITS).complete(request)

    assert provider_emulator.request_count() == 1


async def test_tools_count_towards_the_prompt(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look something up. " * 30,
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }

    with pytest.raises(LLMContextWindowError):
        make_llm(model=TINY, model_info=LIMITS).complete("hi", tools=[tool])

    assert provider_emulator.request_count() == 0
