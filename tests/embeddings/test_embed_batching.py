"""Many texts: split into batches, sent concurrently, reassembled in input order, priced and metered."""

from __future__ import annotations

import itertools

import pytest

from llm_resolver.testing import ProviderEmulator, Reply
from tests.helpers import MakeLLM

from .conftest import embed, embedding_requests

pytestmark = pytest.mark.usefixtures("litellm_async_clients")

# text-embedding-3-small in LiteLLM's bundled map.
PRICE_PER_TOKEN = 2e-08


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_thousand_texts_come_back_in_order(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(embedding_batch_size=100)
    texts = [f"text number {i}" for i in range(1000)]

    response = await embed(llm, mode, texts)

    assert response.vectors == [provider_emulator.embedding_for(t) for t in texts]
    sent = embedding_requests(provider_emulator)
    assert len(sent) == 10
    assert all(len(batch) == 100 for batch in sent)
    assert sorted(t for batch in sent for t in batch) == sorted(texts)
    assert response.model == "openai/text-embedding-3-small"
    assert response.usage.prompt_tokens > 0
    assert response.cost_usd == pytest.approx(response.usage.prompt_tokens * PRICE_PER_TOKEN)
    assert [a.outcome for a in response.attempts] == ["ok"] * 10


async def test_the_default_batch_is_256_inputs(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    texts = [f"t{i}" for i in range(1000)]

    make_llm().embed(texts)

    assert sorted(len(b) for b in embedding_requests(provider_emulator)) == [232, 256, 256, 256]


async def test_a_token_cap_closes_batches_early(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(embedding_batch_tokens=60)
    texts = [f"sentence {i:02d} of the set" for i in range(20)]  # 21 bytes each, about 6 tokens

    response = llm.embed(texts)

    assert response.vectors == [provider_emulator.embedding_for(t) for t in texts]
    sent = embedding_requests(provider_emulator)
    assert len(sent) > 1, "the cap must split the texts"
    assert all(1 < len(batch) < 20 for batch in sent)


async def test_one_text_gives_one_vector(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    response = make_llm().embed("just one")

    assert response.vectors == [provider_emulator.embedding_for("just one")]
    assert embedding_requests(provider_emulator) == [["just one"]]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_batches_run_concurrently_within_the_bound(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(embedding_batch_size=10, embedding_concurrency=2)
    provider_emulator.script(*[Reply(delay=0.3)] * 5)

    response = await embed(llm, mode, [f"t{i}" for i in range(50)])

    assert response.vectors == [provider_emulator.embedding_for(f"t{i}") for i in range(50)]
    arrivals = sorted(r.received_at for r in provider_emulator.requests)
    assert len(arrivals) == 5
    # Each answer takes 0.3 s: requests arriving within 0.25 s of each other were in flight together.
    in_flight = [sum(1 for b in arrivals if a - 0.25 < b <= a) for a in arrivals]
    assert max(in_flight) == 2


async def test_concurrency_one_sends_batches_one_after_another(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(embedding_batch_size=5, embedding_concurrency=1)
    provider_emulator.script(*[Reply(delay=0.1)] * 3)

    llm.embed([f"t{i}" for i in range(15)])

    arrivals = [r.received_at for r in provider_emulator.requests]
    assert all(later - earlier >= 0.08 for earlier, later in itertools.pairwise(arrivals))
    assert embedding_requests(provider_emulator) == [[f"t{i}" for i in range(s, s + 5)] for s in (0, 5, 10)]


async def test_each_batch_is_metered(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    llm = make_llm(embedding_batch_size=3)

    response = llm.embed(["a", "b", "c", "d", "e"])

    totals = llm.meter.totals(model="openai/text-embedding-3-small")
    assert (totals.calls, totals.errors) == (2, 0)
    assert totals.prompt_tokens == response.usage.prompt_tokens
    assert totals.cost_usd == pytest.approx(response.cost_usd)


async def test_an_empty_list_sends_nothing(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    response = make_llm().embed([])

    assert response.vectors == []
    assert response.cost_usd == 0.0
    assert provider_emulator.request_count() == 0


async def test_dimensions_reach_the_provider(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    make_llm().embed(["a"], dimensions=256)

    assert provider_emulator.requests[0].body["dimensions"] == 256
