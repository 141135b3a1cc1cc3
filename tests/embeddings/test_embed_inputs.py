"""What embed refuses before any request, and what it costs when LiteLLM cannot price the model."""

from __future__ import annotations

import re

import pytest

from llm_resolver import LiteLLMConfig, LLMBadRequestError, SpecError
from llm_resolver.testing import ProviderEmulator
from tests.helpers import MakeLLM

from .conftest import embed


@pytest.mark.parametrize(
    ("texts", "options", "message"),
    [
        (["a", 3], {}, "text 1 is a int"),
        (["a", ""], {}, "text 1 is empty"),
        (b"bytes", {}, "not a bytes"),
        ({"a": 1}, {}, "not a dict"),
        (["a"], {"dimension": 3}, "unknown embed option(s) ['dimension']"),
        (["a"], {"dimensions": 0}, "dimensions must be a positive int"),
        (["a"], {"dimensions": 65_537}, "dimensions must be a positive int up to 65536, got 65537"),
        (["a"], {"dimensions": 2**63}, "dimensions must be a positive int up to 65536"),
        (["a"], {"dimensions": 10**5000}, "got a huge int"),
        (["a"], {"deadline": -1}, "deadline must be a finite positive number"),
        (["a"], {"deadline": float("nan")}, "deadline must be a finite positive number"),
        (["a"], {"provider_options": {"api_base": "http://x"}}, "api_base is set by the library"),
        (["a"], {"model": ""}, "model must be a model name"),
        (["a"], {"provider_options": "x"}, "provider_options: must be a mapping"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, texts: object, options: dict, message: str
) -> None:
    with pytest.raises(LLMBadRequestError, match=re.escape(message)):
        make_llm().embed(texts, **options)  # type: ignore[arg-type]

    assert provider_emulator.request_count() == 0


def test_without_an_embedding_model_the_error_says_what_to_set(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    with pytest.raises(SpecError, match="set embedding_model") as info:
        make_llm(embedding_model=None).embed(["a"])

    assert "'openai/gpt-4o-mini' is not an embedding model in LiteLLM's map" in str(info.value)

    assert info.value.field == "embedding_model"
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_an_embedding_model_as_model_embeds_without_embedding_model(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    llm = make_llm(model="openai/text-embedding-3-small", embedding_model=None)

    response = await embed(llm, mode, ["a", "b"])

    assert len(response.vectors) == 2
    assert response.model == "openai/text-embedding-3-small"
    assert response.cost_usd is not None
    assert response.cost_usd > 0
    assert [r.body["model"] for r in provider_emulator.requests if r.body] == ["text-embedding-3-small"]


def test_an_unpriceable_model_costs_none_not_zero(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    response = make_llm(embedding_model="openai/my-local-embedder").embed(["a", "b"])

    assert response.usage.prompt_tokens > 0
    assert response.cost_usd is None


def test_a_custom_price_from_model_info_prices_a_self_hosted_model(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(
        embedding_model="openai/my-local-embedder",
        model_info={"openai/my-local-embedder": {"input_cost_per_token": 1e-06}},
    )

    response = llm.embed(["a", "b"])

    assert response.cost_usd == pytest.approx(response.usage.prompt_tokens * 1e-06)


def test_an_embedding_endpoints_key_stays_secret() -> None:
    key = "emb-" + "Qw9Er8Ty7Ui6Op5As4Df3Gh2"
    config = LiteLLMConfig(
        model="openai/gpt-4o-mini",
        embedding_model={"model": "cohere/embed-english-v3.0", "api_key": key},
        embedding_fallback_models=[{"model": "openai/text-embedding-3-small", "api_key": key + "2"}],
    )

    assert key not in repr(config)
    assert key not in config.model_dump_json()
    assert {key, key + "2"} <= set(config.secret_values())
