"""Each provider's wire format × each call mode: text, usage and cost, over real HTTP."""

from __future__ import annotations

import pytest

from llm_resolver import ChatResponse, LiteLLMResolver
from llm_resolver.backend.loader import litellm
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.testing import ProviderEmulator, Reply
from tests.helpers import MODES, PROVIDERS

PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "gemini": "/v1beta/models/gemini-2.5-flash",
}


async def _call(llm: LiteLLM, mode: str) -> ChatResponse:
    if mode == "complete":
        return llm.complete("Say hello")
    if mode == "acomplete":
        return await llm.acomplete("Say hello")
    if mode == "stream":
        with llm.stream("Say hello") as stream:
            chunks = [c.text for c in stream]
        assert len([c for c in chunks if c]) == 3
        return stream.response
    async with llm.astream("Say hello") as astream:
        chunks = [c.text async for c in astream]
    assert len([c for c in chunks if c]) == 3
    return astream.response


@pytest.mark.usefixtures("litellm_async_clients")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("provider", PROVIDERS)
async def test_text_usage_and_cost(provider_emulator: ProviderEmulator, provider: str, mode: str) -> None:
    (model, base), path = PROVIDERS[provider], PATHS[provider]
    llm = LiteLLMResolver(
        model=model, api_base=getattr(provider_emulator, base), api_key="k", env={}
    ).get_or_resolve()
    provider_emulator.script(Reply(text="Hello there, friend", usage=(12, 5), chunks=3))

    response = await _call(llm, mode)

    assert response.text == "Hello there, friend"
    assert response.model == model
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens) == (
        12,
        5,
        17,
    )
    prompt_cost, completion_cost = litellm().cost_per_token(
        model=model, prompt_tokens=12, completion_tokens=5
    )
    assert response.cost_usd == pytest.approx(prompt_cost + completion_cost)
    assert response.cost_usd > 0
    assert [a.outcome for a in response.attempts] == ["ok"]
    request = provider_emulator.requests[-1]
    assert request.path.startswith(path)
    assert request.stream is mode.endswith("stream")
    assert llm.meter.spend(llm.scope) == pytest.approx(response.cost_usd)


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_stream_usage_is_counted_when_the_provider_sends_none(
    provider_emulator: ProviderEmulator, mode: str, litellm_async_clients: None
) -> None:
    llm = LiteLLMResolver(
        model="openai/gpt-4o-mini", api_base=provider_emulator.openai_base, api_key="k", env={}
    ).get_or_resolve()
    provider_emulator.script(Reply(text="one two three four", send_usage_in_stream=False))

    response = await _stream_any(llm, mode)

    assert response.usage.prompt_tokens > 0
    assert response.usage.completion_tokens > 0
    assert response.cost_usd is not None
    assert response.cost_usd > 0


async def _stream_any(llm: LiteLLM, mode: str) -> ChatResponse:
    if mode == "stream":
        with llm.stream("count") as stream:
            list(stream)
        return stream.response
    async with llm.astream("count") as astream:
        _ = [c async for c in astream]
    return astream.response


def test_an_unpriceable_model_has_no_cost_not_zero(provider_emulator: ProviderEmulator) -> None:
    llm = LiteLLMResolver(
        model="openai/my-self-hosted-model", api_base=provider_emulator.openai_base, api_key="k", env={}
    ).get_or_resolve()

    response = llm.complete("hi")

    assert response.usage.total_tokens > 0
    assert response.cost_usd is None
