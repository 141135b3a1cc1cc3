"""Each batch is a call through the executor: retried, sent to fallbacks, and kept on one model."""

from __future__ import annotations

import time

import pytest

from llm_resolver import (
    FallbackModel,
    LLMAuthenticationError,
    LLMBadRequestError,
    LLMFallbacksExhaustedError,
    LLMTimeoutError,
)
from llm_resolver.testing import Fault, ProviderEmulator, Reply
from tests.helpers import MakeLLM

from .conftest import embed, embedding_requests

pytestmark = pytest.mark.usefixtures("litellm_async_clients")

SMALL, LARGE = "text-embedding-3-small", "text-embedding-3-large"


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_fault_in_one_batch_is_retried_and_the_rest_are_untouched(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(embedding_batch_size=10)
    texts = [f"t{i}" for i in range(40)]
    provider_emulator.script(Fault.server_error())  # whichever batch arrives first gets it

    response = await embed(llm, mode, texts)

    assert response.vectors == [provider_emulator.embedding_for(t) for t in texts]
    assert provider_emulator.request_count() == 5
    sent = embedding_requests(provider_emulator)
    assert sent.count(sent[0]) == 2, "the failed batch was sent again, unchanged"
    assert sorted(a.outcome for a in response.attempts) == ["error", "ok", "ok", "ok", "ok"]
    totals = llm.meter.totals(model=f"openai/{SMALL}")
    assert (totals.calls, totals.errors) == (5, 1)


async def test_rate_limits_on_several_batches_are_each_retried(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(embedding_batch_size=5, max_retries=3)
    provider_emulator.script(Fault.rate_limit(retry_after=0), Fault.drop(), Fault.rate_limit(retry_after=0))

    response = llm.embed([f"t{i}" for i in range(20)])

    assert len(response.vectors) == 20
    assert provider_emulator.request_count() == 7
    assert [a.outcome for a in response.attempts].count("error") == 3


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_batch_that_falls_back_brings_the_others_to_the_same_model(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(
        embedding_batch_size=5, embedding_concurrency=1, embedding_fallback_models=[f"openai/{LARGE}"]
    )
    # Batch 1 succeeds on the small model, batch 2 is refused there and falls back.
    provider_emulator.script(Reply(), Fault.auth(), model=SMALL)
    texts = [f"t{i}" for i in range(15)]

    response = await embed(llm, mode, texts)

    assert response.model == f"openai/{LARGE}"
    assert response.vectors == [provider_emulator.embedding_for(t) for t in texts]
    by_model = [(r.model, r.body["input"]) for r in provider_emulator.requests if r.body]
    assert by_model == [
        (SMALL, texts[0:5]),
        (SMALL, texts[5:10]),
        (LARGE, texts[5:10]),
        (LARGE, texts[10:15]),
        (LARGE, texts[0:5]),  # embedded again: vectors of two models must not mix
    ]
    # All five requests were billed, the superseded one included.
    assert llm.meter.totals().calls == 5


async def test_a_per_call_model_needs_no_configured_embedding_model(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(embedding_model=None)

    response = llm.embed(["a"], model=f"openai/{LARGE}")

    assert response.model == f"openai/{LARGE}"
    assert provider_emulator.requests[0].model == LARGE


async def test_the_embedding_model_shares_the_chat_models_endpoint_key_and_headers(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    make_llm(api_key="shared-key", extra_headers={"x-team": "search"}).embed(["a"])

    assert provider_emulator.requests[0].headers["authorization"] == "Bearer shared-key"
    assert provider_emulator.requests[0].headers["x-team"] == "search"


async def test_an_embedding_model_mapping_brings_its_own_endpoint(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    own = FallbackModel(model=f"openai/{LARGE}", api_base=provider_emulator.openai_base, api_key="own-key")
    llm = make_llm(api_base="http://127.0.0.1:9/v1", embedding_model=own)

    llm.embed(["a"])

    assert provider_emulator.requests[0].headers["authorization"] == "Bearer own-key"


async def test_exhausted_fallbacks_raise_with_every_attempt(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(embedding_fallback_models=[f"openai/{LARGE}"])
    provider_emulator.script(Fault.auth(), model=SMALL)
    provider_emulator.script(Fault.auth(), model=LARGE)

    with pytest.raises(LLMFallbacksExhaustedError) as info:
        llm.embed(["a", "b"])

    assert [(a.model, a.outcome) for a in info.value.attempts] == [
        (f"openai/{SMALL}", "error"),
        (f"openai/{LARGE}", "error"),
    ]
    assert isinstance(info.value.last_error, LLMAuthenticationError)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_failing_batch_fails_the_call(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(embedding_batch_size=2, embedding_concurrency=1)
    provider_emulator.script(Reply(), Fault.bad_request())

    with pytest.raises(LLMBadRequestError):
        await embed(llm, mode, [f"t{i}" for i in range(10)])

    # Sequential: the batches after the failed one were never sent.
    assert provider_emulator.request_count() == 2


async def test_a_reply_with_the_wrong_number_of_vectors_is_retried(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    one_vector = {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
        "model": SMALL,
        "usage": {"prompt_tokens": 2, "total_tokens": 2},
    }
    provider_emulator.script(Reply(json=one_vector))

    response = make_llm().embed(["a", "b"])

    assert response.vectors == [provider_emulator.embedding_for("a"), provider_emulator.embedding_for("b")]
    assert [a.outcome for a in response.attempts] == ["error", "ok"]
    assert "1 vectors for 2 inputs" in (response.attempts[0].detail or "")


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_the_deadline_bounds_the_whole_call(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(embedding_batch_size=2, max_retries=3)
    llm.embed(["warm-up"])  # LiteLLM is imported on first use; keep that out of the measured time
    provider_emulator.script(*[Fault.slow(3)] * 4)
    started = time.monotonic()

    with pytest.raises(LLMTimeoutError):
        await embed(llm, mode, ["a", "b", "c", "d"], deadline=0.5)

    assert time.monotonic() - started < 1.5
