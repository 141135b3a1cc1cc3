"""provider_options and per-call values are an allow-list: nothing a caller passes can redirect the
request or its key, add retries, rewrite prices or forge replies, and every value is range-checked
the same way in the spec and per call, before any request."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from llm_resolver import LiteLLMResolver, LLMBadRequestError, Scope, SpecError
from llm_resolver.testing import Fault, ProviderEmulator, Reply
from tests.helpers import MODES, MakeLLM, call
from tests.security.conftest import Listener

# Keys the library owns, each with a hostile value.
OWNED: dict[str, Any] = {
    "api_base": "ATTACKER",
    "base_url": "ATTACKER",
    "api_key": "sk-attacker-key-000000000000",
    "api_version": "2099-01-01",
    "organization": "org-attacker",
    "extra_headers": {"openai-organization": "org-attacker"},
    "custom_llm_provider": "anthropic",
    "num_retries": 16,
    "max_retries": 16,
    "timeout": 0.001,
    "input_cost_per_token": 0,
    "output_cost_per_token": 0,
    "mock_response": "forged",
    "callbacks": ["print"],
    "stream": True,
    "stream_options": {"include_usage": False},
}


def _hostile(key: str, attacker: Listener) -> dict[str, Any]:
    value = OWNED[key]
    return {key: attacker.base if value == "ATTACKER" else value}


@pytest.mark.parametrize("key", sorted(OWNED))
@pytest.mark.parametrize("mode", MODES)
async def test_owned_keys_per_call_are_refused_before_any_request(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, attacker: Listener, key: str, mode: str
) -> None:
    llm = make_llm()
    with pytest.raises(LLMBadRequestError, match=f"{key} is set by the library") as caught:
        await call(llm, mode, provider_options=_hostile(key, attacker))
    assert "use " in str(caught.value)  # it says which setting to use instead
    assert provider_emulator.request_count() == 0
    assert attacker.received == []


@pytest.mark.parametrize("key", sorted(OWNED))
def test_owned_keys_in_the_spec_are_a_spec_error(attacker: Listener, key: str) -> None:
    with pytest.raises(SpecError, match=f"provider_options: {key} is set by the library"):
        LiteLLMResolver(model="openai/gpt-4o-mini", env={}, provider_options=_hostile(key, attacker))


def test_unknown_keys_are_refused_by_name(make_llm: MakeLLM, provider_emulator: ProviderEmulator) -> None:
    with pytest.raises(LLMBadRequestError, match=r"litellm_params is not a provider option .* known: "):
        make_llm().complete("hi", provider_options={"litellm_params": {"api_base": "http://x"}})
    with pytest.raises(SpecError, match="provider_options: region is not a provider option"):
        LiteLLMResolver(model="openai/gpt-4o-mini", env={}, provider_options={"region": "eu"})
    assert provider_emulator.request_count() == 0


def test_provider_credentials_are_config_only(make_llm: MakeLLM) -> None:
    LiteLLMResolver(model="bedrock/x", env={}, provider_options={"aws_region_name": "eu-west-1"})
    with pytest.raises(LLMBadRequestError, match="aws_secret_access_key is a provider credential"):
        make_llm().complete("hi", provider_options={"aws_secret_access_key": "x"})


def test_allowed_options_reach_the_provider_checked(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    make_llm(provider_options={"user": "u-1"}).complete(
        "hi", provider_options={"logprobs": True, "top_logprobs": 2}
    )
    body = provider_emulator.requests[-1].body
    assert (body["user"], body["logprobs"], body["top_logprobs"]) == ("u-1", True, 2)
    with pytest.raises(LLMBadRequestError, match="top_logprobs: Input should be less than or equal to 20"):
        make_llm().complete("hi", provider_options={"top_logprobs": 99})


def test_per_call_retries_cannot_multiply_requests(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    """The spec says one attempt: a failing call is exactly one request, whatever the caller passes."""
    llm = make_llm(max_retries=0)
    provider_emulator.script(*[Fault.server_error()] * 20)
    for options in ({"num_retries": 16}, {"max_retries": 16}):
        with pytest.raises(LLMBadRequestError):
            llm.complete("hi", provider_options=options)
    with pytest.raises(Exception, match="failed on the provider's side"):
        llm.complete("hi")
    assert provider_emulator.request_count() == 1


def test_a_tenant_cannot_rewrite_the_prices_other_tenants_pay(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any]
) -> None:
    resolver = LiteLLMResolver(env={}, **emulator_settings)
    provider_emulator.default_reply = Reply(usage=(1000, 1000))
    honest = resolver.get_or_resolve(Scope(org="honest")).complete("hi").cost_usd
    assert honest is not None
    assert honest > 0
    hostile = resolver.get_or_resolve(Scope(org="hostile"))
    with pytest.raises(LLMBadRequestError):
        hostile.complete("hi", provider_options={"input_cost_per_token": 0, "output_cost_per_token": 0})
    assert resolver.get_or_resolve(Scope(org="honest")).complete("hi").cost_usd == honest


def test_mock_response_cannot_forge_a_billed_reply(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    with pytest.raises(LLMBadRequestError, match="mock_response is set by the library"):
        make_llm().complete("hi", provider_options={"mock_response": "forged"})
    assert provider_emulator.request_count() == 0


BAD_VALUES: list[dict[str, Any]] = [
    {"temperature": 7},
    {"temperature": math.nan},
    {"temperature": math.inf},
    {"top_p": -1},
    {"top_p": math.nan},
    {"max_tokens": -5},
    {"max_tokens": 0},
    {"max_tokens": 2**40},
    {"frequency_penalty": 3},
    {"seed": 2**70},
    {"messages": "oops"},
    {"deadline": math.nan},
    {"deadline": math.inf},
    {"deadline": -1},
]


@pytest.mark.parametrize("options", BAD_VALUES, ids=repr)
@pytest.mark.parametrize("mode", MODES)
async def test_out_of_range_values_per_call_are_refused_before_any_request(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, options: dict[str, Any], mode: str
) -> None:
    name = next(iter(options))
    with pytest.raises(LLMBadRequestError, match=name):
        await call(make_llm(), mode, **options)
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    "settings",
    [
        {"temperature": math.nan},
        {"temperature": 7},
        {"top_p": -1},
        {"max_tokens": -1},
        {"timeout": math.nan},
        {"timeout": math.inf},
        {"deadline": math.nan},
        {"budget_usd": math.nan},
        {"budget_usd": math.inf},
        {"retry": {"initial_wait": math.nan}},
    ],
    ids=repr,
)
def test_the_config_refuses_the_same_values(settings: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match=next(iter(settings))):
        LiteLLMResolver(model="openai/gpt-4o-mini", env={}, **settings)


def test_a_nan_deadline_does_not_disable_the_deadline(make_llm: MakeLLM) -> None:
    """It used to pass the check (nan <= 0 is False) and then no deadline applied at all."""
    llm = make_llm()
    with pytest.raises(LLMBadRequestError, match="deadline must be a finite positive number"):
        asyncio.run(llm.acomplete("hi", deadline=math.nan))


def test_valid_values_still_go_through(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    make_llm().complete("hi", temperature=0.2, top_p=0.9, max_tokens=5, presence_penalty=1.0, seed=7)
    body = provider_emulator.requests[-1].body
    assert (body["temperature"], body["top_p"], body["max_tokens"], body["presence_penalty"]) == (
        0.2,
        0.9,
        5,
        1.0,
    )
