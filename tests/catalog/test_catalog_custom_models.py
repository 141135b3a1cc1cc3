"""model_info in the config: limits, prices and capabilities of self-hosted models, kept off LiteLLM's
global model map."""

from __future__ import annotations

from typing import Any

import pytest

from llm_resolver import FallbackModel, LiteLLMResolver, SpecError
from llm_resolver.backend.loader import litellm
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.testing import Fault, ProviderEmulator, Reply

CUSTOM = "openai/my-llama-70b"


def resolve(emu: ProviderEmulator, **props: Any) -> LiteLLM:
    settings = {"model": CUSTOM, "api_base": emu.openai_base, "api_key": "x", **props}
    return LiteLLMResolver(env={}, **settings).get_or_resolve()


def test_info_of_a_self_hosted_model_comes_from_model_info(provider_emulator: ProviderEmulator) -> None:
    info = resolve(
        provider_emulator,
        model_info={CUSTOM: {"max_input_tokens": 8192, "max_output_tokens": 2048, "supports_tools": True}},
    ).info()

    assert (info.model, info.provider) == (CUSTOM, "openai")
    assert (info.max_input_tokens, info.max_output_tokens, info.supports_tools) == (8192, 2048, True)
    assert info.supports_vision is None
    assert CUSTOM not in litellm().model_cost
    assert "my-llama-70b" not in litellm().model_cost


def test_bare_info_fields_describe_the_primary_model(provider_emulator: ProviderEmulator) -> None:
    llm = resolve(provider_emulator, model_info={"max_input_tokens": 4096, "input_cost_per_token": 1e-06})

    assert llm.info().max_input_tokens == 4096
    assert llm.config.model_info[CUSTOM].input_cost_per_token == 1e-06


def test_custom_prices_price_every_call(provider_emulator: ProviderEmulator) -> None:
    llm = resolve(
        provider_emulator,
        model_info={CUSTOM: {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}},
    )
    provider_emulator.script(Reply(text="hi", usage=(100, 10)))

    response = llm.complete("hello")

    assert response.cost_usd == pytest.approx(100 * 1e-06 + 10 * 2e-06)
    assert llm.meter.totals().cost_usd == pytest.approx(response.cost_usd)


def test_without_a_price_a_self_hosted_model_costs_none(provider_emulator: ProviderEmulator) -> None:
    assert resolve(provider_emulator).complete("hello").cost_usd is None


def test_model_info_prices_a_fallback(provider_emulator: ProviderEmulator) -> None:
    fallback = "openai/my-mistral"
    llm = resolve(
        provider_emulator,
        fallback_models=[fallback],
        model_info={fallback: {"input_cost_per_token": 1e-06, "output_cost_per_token": 0}},
    )
    provider_emulator.script(Fault.auth(), model="my-llama-70b")
    provider_emulator.script(Reply(usage=(50, 5)), model="my-mistral")

    response = llm.complete("hello")

    assert response.model == fallback
    assert response.cost_usd == pytest.approx(50 * 1e-06)


def test_config_prices_win_over_model_info(provider_emulator: ProviderEmulator) -> None:
    llm = resolve(
        provider_emulator,
        input_cost_per_token=3e-06,
        output_cost_per_token=4e-06,
        fallback_models=[FallbackModel(model="openai/fb", api_key="k", input_cost_per_token=5e-06)],
        model_info={
            CUSTOM: {"input_cost_per_token": 1e-09, "max_input_tokens": 1000},
            "openai/fb": {"input_cost_per_token": 1e-09},
        },
    )

    info = llm.info()

    assert (info.input_cost_per_token, info.output_cost_per_token) == (3e-06, 4e-06)
    assert info.max_input_tokens == 1000


def test_model_info_overrides_what_the_map_says(provider_emulator: ProviderEmulator) -> None:
    llm = resolve(
        provider_emulator,
        model="openai/gpt-4o-mini",
        model_info={"openai/gpt-4o-mini": {"max_input_tokens": 32000}},
    )

    info = llm.info()

    assert info.max_input_tokens == 32000
    assert info.supports_vision is True  # the rest still comes from the map


@pytest.mark.parametrize(
    ("model_info", "field"),
    [
        ({CUSTOM: {"max_input_tokenz": 5}}, "max_input_tokenz"),
        ({CUSTOM: {"max_input_tokens": -5}}, "max_input_tokens"),
        ({CUSTOM: {"input_cost_per_token": "free"}}, "input_cost_per_token"),
    ],
)
def test_bad_model_info_is_a_spec_error_naming_the_field(
    provider_emulator: ProviderEmulator, model_info: dict[str, Any], field: str
) -> None:
    with pytest.raises(SpecError, match=field):
        resolve(provider_emulator, model_info=model_info)
