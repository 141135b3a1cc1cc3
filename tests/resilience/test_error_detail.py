"""An error keeps our sentence (``summary``) apart from what the provider said (``detail``)."""

from __future__ import annotations

import pickle

import pytest

from llm_resolver import FallbackModel, LLMFallbacksExhaustedError, LLMServiceError
from llm_resolver.testing import Fault, ProviderEmulator
from tests.helpers import MakeLLM

SAID = "backend 10.1.2.3:8443 is down"


async def test_the_providers_text_is_the_detail_not_the_summary(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    provider_emulator.script(Fault(status=503, message=SAID))

    with pytest.raises(LLMServiceError) as caught:
        await make_llm(max_retries=0).acomplete("hi")

    error = caught.value
    assert (
        error.summary
        == "openai/gpt-4o-mini failed on the provider's side (HTTP 503); retried, then fallbacks."
    )
    assert error.detail is not None
    assert SAID in error.detail
    assert str(error) == f"{error.summary} Provider said: {error.detail} [model=openai/gpt-4o-mini]"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.summary, copy.detail, str(copy)) == (error.summary, error.detail, str(error))


async def test_exhausted_fallbacks_keep_the_last_providers_text_as_detail(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    fallback = FallbackModel(model="openai/gpt-4.1-mini", api_base=provider_emulator.openai_base, api_key="k")
    provider_emulator.script(Fault(status=503, message="first"), model="gpt-4o-mini")
    provider_emulator.script(Fault(status=503, message=SAID), model="gpt-4.1-mini")

    with pytest.raises(LLMFallbacksExhaustedError) as caught:
        await make_llm(max_retries=0, fallback_models=[fallback]).acomplete("hi")

    error = caught.value
    assert error.summary.startswith("every model failed (")
    assert error.summary.endswith(f"last error: {error.last_error.summary}")  # type: ignore[union-attr]
    assert SAID not in error.summary
    assert "first" not in error.summary
    assert error.detail == error.last_error.detail  # type: ignore[union-attr]
    assert str(error).endswith(f"Provider said: {error.detail} [model=openai/gpt-4.1-mini]")
