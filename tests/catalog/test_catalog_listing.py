"""list_models: cache, then the provider's listing endpoint, then LiteLLM's bundled map."""

from __future__ import annotations

import socket

import pytest

from llm_resolver import SpecError, list_models
from llm_resolver.catalog import ModelLister
from llm_resolver.testing import Fault, ProviderEmulator


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lister(clock: Clock) -> ModelLister:
    return ModelLister(clock=clock)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_openai_endpoint_lists_models_described_from_the_bundled_map(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    provider_emulator.models = ["gpt-4o-mini", "my-local-model"]

    listing = lister.list_models("openai", api_base=provider_emulator.openai_base, api_key="k-123")

    assert listing.source == "endpoint"
    assert listing.ids == ["openai/gpt-4o-mini", "openai/my-local-model"]
    known, unknown = listing.models
    assert known.max_input_tokens == 128000
    assert known.input_cost_per_token is not None
    assert unknown.max_input_tokens is None
    request = provider_emulator.requests[0]
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == "Bearer k-123"


def test_anthropic_endpoint_gets_its_headers(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    provider_emulator.models = ["claude-haiku-4-5"]

    listing = lister.list_models("anthropic", api_base=provider_emulator.anthropic_base, api_key="ak")

    assert (listing.source, listing.ids) == ("endpoint", ["anthropic/claude-haiku-4-5"])
    request = provider_emulator.requests[0]
    assert request.path == "/v1/models"
    assert request.headers["x-api-key"] == "ak"
    assert request.headers["anthropic-version"]


def test_gemini_endpoint_states_limits_and_keeps_the_key_out_of_the_url(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    provider_emulator.models = ["gemini-2.5-flash", "gemini-new"]

    listing = lister.list_models("gemini", api_base=provider_emulator.gemini_base, api_key="gk")

    assert listing.ids == ["gemini/gemini-2.5-flash", "gemini/gemini-new"]
    assert listing.models[1].max_input_tokens == 1_048_576
    request = provider_emulator.requests[0]
    assert request.path == "/v1beta/models"
    assert "gk" not in request.query
    assert request.headers["x-goog-api-key"] == "gk"


def test_a_second_call_within_the_ttl_is_served_from_the_cache(
    provider_emulator: ProviderEmulator, lister: ModelLister, clock: Clock
) -> None:
    base = provider_emulator.openai_base
    lister.list_models("openai", api_base=base, api_key="k", ttl=60)
    clock.now += 59

    cached = lister.list_models("openai", api_base=base, api_key="k", ttl=60)

    assert cached.source == "cache"
    assert cached.age_s == pytest.approx(59)
    assert provider_emulator.request_count() == 1

    clock.now += 2
    assert lister.list_models("openai", api_base=base, api_key="k", ttl=60).source == "endpoint"
    assert provider_emulator.request_count() == 2


def test_the_cache_is_per_endpoint_and_key(provider_emulator: ProviderEmulator, lister: ModelLister) -> None:
    base = provider_emulator.openai_base
    lister.list_models("openai", api_base=base, api_key="k1")

    assert lister.list_models("openai", api_base=base, api_key="k2").source == "endpoint"
    assert lister.list_models("openai", api_base=base + "/", api_key="k1", ttl=0).source == "endpoint"
    assert lister.list_models("openai", api_base=base, api_key="k1").source == "cache"


def test_a_failing_endpoint_falls_back_to_the_bundled_map_and_is_asked_again(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    base = provider_emulator.openai_base
    provider_emulator.script(Fault.server_error())

    listing = lister.list_models("openai", api_base=base, api_key="secret-key-123")

    assert listing.source == "bundled"
    assert "HTTP 500" in (listing.error or "")
    assert "openai/gpt-4o-mini" in listing.ids
    assert len(listing.ids) > 50
    # A failure is not cached: the next call asks the endpoint again.
    assert lister.list_models("openai", api_base=base, api_key="secret-key-123").source == "endpoint"


def test_a_refused_key_is_reported_without_the_key(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    provider_emulator.script(Fault.auth())

    listing = lister.list_models("openai", api_base=provider_emulator.openai_base, api_key="sk-very-secret-1")

    assert listing.source == "bundled"
    assert "check the API key" in (listing.error or "")
    assert "sk-very-secret-1" not in listing.model_dump_json()


def test_a_listing_says_where_it_came_from_without_the_urls_credentials(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    base = provider_emulator.openai_base.replace("http://", "http://proxyuser:hunter2-proxy-pass@")

    listing = lister.list_models("openai", api_base=base, api_key="k")

    assert listing.source == "endpoint"
    assert listing.api_base == provider_emulator.openai_base.replace("http://", "http://**********@")
    assert "hunter2-proxy-pass" not in repr(listing) + listing.model_dump_json()


def test_an_unreachable_endpoint_falls_back_quickly(lister: ModelLister) -> None:
    listing = lister.list_models("openai", api_base=f"http://127.0.0.1:{closed_port()}/v1", timeout=1)

    assert listing.source == "bundled"
    assert "could not be reached" in (listing.error or "")


def test_a_malformed_listing_falls_back(provider_emulator: ProviderEmulator, lister: ModelLister) -> None:
    provider_emulator.script(Fault.malformed())

    listing = lister.list_models("openai", api_base=provider_emulator.openai_base)

    assert listing.source == "bundled"
    assert "could not read" in (listing.error or "")


def test_no_key_and_no_api_base_uses_the_bundled_map_without_a_request(lister: ModelLister) -> None:
    listing = lister.list_models("anthropic", env={})

    assert listing.source == "bundled"
    assert "ANTHROPIC_API_KEY" in (listing.error or "")
    assert "anthropic/claude-haiku-4-5" in listing.ids


def test_the_key_comes_from_the_providers_variable(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    lister.list_models("openai", api_base=provider_emulator.openai_base, env={"OPENAI_API_KEY": "from-env"})

    assert provider_emulator.requests[0].headers["authorization"] == "Bearer from-env"


def test_another_provider_with_an_api_base_is_asked_as_openai_compatible(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    provider_emulator.models = ["llama-3-8b"]

    listing = lister.list_models("hosted_vllm", api_base=provider_emulator.openai_base)

    assert (listing.source, listing.ids) == ("endpoint", ["hosted_vllm/llama-3-8b"])


def test_an_unknown_provider_is_a_spec_error_with_a_suggestion(lister: ModelLister) -> None:
    with pytest.raises(SpecError, match="did you mean 'openai'"):
        lister.list_models("opneai")


async def test_the_async_listing_shares_the_cache(
    provider_emulator: ProviderEmulator, lister: ModelLister
) -> None:
    base = provider_emulator.openai_base

    first = await lister.alist_models("openai", api_base=base, api_key="k")
    second = lister.list_models("openai", api_base=base, api_key="k")

    assert (first.source, second.source) == ("endpoint", "cache")
    assert provider_emulator.request_count() == 1


def test_the_public_function_lists_without_a_lister(provider_emulator: ProviderEmulator) -> None:
    provider_emulator.models = ["gpt-4o-mini"]

    listing = list_models("openai", api_base=provider_emulator.openai_base, api_key="k", ttl=0)

    assert (listing.source, listing.ids) == ("endpoint", ["openai/gpt-4o-mini"])
