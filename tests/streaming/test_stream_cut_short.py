"""Replies the provider never finished: retried while nothing reached the caller, typed errors after.

LiteLLM ends such a stream quietly, with a made-up finish reason and a usage it counted itself, and
maps a cut JSON body to whatever its wording suggests; these pin our handling for each wire format.
"""

from __future__ import annotations

import pytest

from llm_resolver import LLMConnectionError, LLMResponseError
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.testing import Fault, ProviderEmulator
from tests.helpers import PROVIDERS, MakeLLM, call

pytestmark = pytest.mark.usefixtures("litellm_async_clients")


def _llm(make_llm: MakeLLM, emu: ProviderEmulator, provider: str, **settings: object) -> LiteLLM:
    model, base = PROVIDERS[provider]
    return make_llm(model=model, api_base=getattr(emu, base), **settings)


@pytest.mark.parametrize(
    "fault", [Fault.end_mid_stream(after_chunks=0), Fault.malformed()], ids=lambda f: f.kind
)
@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_stream_that_ends_before_any_content_is_retried(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, provider: str, mode: str, fault: Fault
) -> None:
    provider_emulator.script(fault)
    llm = _llm(make_llm, provider_emulator, provider, max_retries=1)

    response = await call(llm, mode, "hello")

    assert response.text == "echo: hello"
    assert provider_emulator.request_count() == 2
    assert [a.outcome for a in response.attempts] == ["error", "ok"]
    assert response.attempts[0].error_type == "LLMResponseError"


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_a_stream_cut_after_content_raises_with_the_partial_text(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, provider: str, mode: str
) -> None:
    provider_emulator.script(Fault.end_mid_stream(after_chunks=1))
    llm = _llm(make_llm, provider_emulator, provider, max_retries=2)

    with pytest.raises(LLMConnectionError, match="ended without its finish reason") as caught:
        await call(llm, mode, "hello")

    assert caught.value.partial_text == "echo: "
    assert provider_emulator.request_count() == 1  # content reached the caller: never retried
    totals = llm.meter.totals(llm.scope)
    assert (totals.calls, totals.errors) == (1, 1)  # what was streamed is billed, as a failed call


@pytest.mark.parametrize("fault", [Fault.end_mid_stream(), Fault.malformed()], ids=lambda f: f.kind)
@pytest.mark.parametrize("mode", ["complete", "acomplete"])
@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_cut_or_garbled_json_reply_is_a_retryable_response_error(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, provider: str, mode: str, fault: Fault
) -> None:
    provider_emulator.script(fault, fault)
    llm = _llm(make_llm, provider_emulator, provider, max_retries=1)

    with pytest.raises(LLMResponseError, match="sent a reply we could not parse") as caught:
        await call(llm, mode, "hello")

    assert caught.value.retryable
    assert provider_emulator.request_count() == 2
