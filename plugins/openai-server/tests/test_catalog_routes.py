"""The catalog and cost routes in a FastAPI app served by uvicorn, listings from the provider emulator
(or, offline, LiteLLM's bundled map), driven over real HTTP with httpx."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from llm_resolver_openai_server import RunningServer, ServerSettings
from llm_resolver_openai_server.access import Keys
from llm_resolver_openai_server.catalog_routes import catalog_router
from llm_resolver_openai_server.routes import router
from llm_resolver_openai_server.server_deps import ServerDeps

from llm_resolver import Dependencies
from llm_resolver.backend.loader import litellm
from llm_resolver.testing import Fault, ProviderEmulator

from .conftest import CLIENT_KEY, UPSTREAM_KEY, builtin_only, models

GROQ_SECRET = "gsk-groq-secret-value-123"


def catalog_app(
    deps: Dependencies, keys: Keys | None = None, env: Mapping[str, str] | None = None, **catalog: Any
) -> FastAPI:
    """A host's application: the chat and catalog routers on one ServerDeps, with the server's keys."""
    shared = ServerDeps(deps, ServerSettings(api_keys=keys or {}))
    app = FastAPI()
    app.include_router(router(shared))
    app.include_router(catalog_router(shared, env=env or {}, **catalog))
    return app


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` on a free loopback port; yields its root URL."""
    with RunningServer(app) as running:
        yield running.base_url.removesuffix("/v1")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(deps: Dependencies, clock: Clock) -> Iterator[httpx.Client]:
    env = {"GROQ_API_KEY": GROQ_SECRET}
    with (
        served(catalog_app(deps, env=env, clock=clock, ttl=60)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        yield client


def listing_requests(emu: ProviderEmulator) -> int:
    return sum(1 for r in emu.requests if r.kind == "models")


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    error: dict[str, Any] = body["error"]
    return error


# Providers ---------------------------------------------------------------------------------------


def test_providers_say_which_have_a_key_by_name_only(api: httpx.Client) -> None:
    response = api.get("/v1/providers")

    assert response.status_code == 200
    assert response.headers["x-request-id"]
    listed = {p["id"]: p for p in response.json()["data"]}
    assert [p["id"] for p in response.json()["data"][:2]] == ["anthropic", "openai"]  # the server's first
    assert listed["openai"]["key_configured"] is True
    assert listed["openai"]["key_source"] == "spec"
    assert listed["openai"]["used_by"] == ["support"]
    assert listed["openai"]["listing"] == "endpoint"
    assert listed["anthropic"]["used_by"] == ["claude"]
    assert listed["groq"]["key_source"] == "GROQ_API_KEY"
    assert listed["groq"]["listing"] == "bundled"  # no listing endpoint known for groq
    assert (listed["mistral"]["key_configured"], listed["mistral"]["key_source"]) == (False, None)
    assert listed["mistral"]["key_variables"] == ["MISTRAL_API_KEY"]
    assert len(listed) > 50  # every provider LiteLLM knows
    assert UPSTREAM_KEY not in response.text
    assert GROQ_SECRET not in response.text


# Listings ----------------------------------------------------------------------------------------


def test_a_listing_from_the_provider_endpoint_then_from_the_cache(
    api: httpx.Client, provider_emulator: ProviderEmulator, clock: Clock
) -> None:
    first = api.get("/v1/providers/openai/models").json()

    assert first["source"] == "endpoint"
    assert first["error"] is None
    ids = [m["id"] for m in first["data"]]
    assert ids == sorted(f"openai/{m}" for m in provider_emulator.models)
    mini = next(m for m in first["data"] if m["id"] == "openai/gpt-4o-mini")
    entry = litellm().model_cost["gpt-4o-mini"]
    assert mini["pricing"] == {
        "input_usd_per_token": entry["input_cost_per_token"],
        "output_usd_per_token": entry["output_cost_per_token"],
    }
    assert mini["context"]["max_input_tokens"] == entry["max_input_tokens"]
    assert mini["capabilities"]["vision"] is True
    assert mini["capabilities"]["tools"] is True
    asked = [r for r in provider_emulator.requests if r.kind == "models"]
    assert len(asked) == 1
    assert asked[0].headers["authorization"] == f"Bearer {UPSTREAM_KEY}"  # the spec's key, not a caller's

    clock.now += 12.5
    second = api.get("/v1/providers/openai/models").json()

    assert (second["source"], second["age_s"], second["ttl_s"]) == ("cache", 12.5, 60)
    assert [m["id"] for m in second["data"]] == ids
    assert listing_requests(provider_emulator) == 1
    assert UPSTREAM_KEY not in str(second)


def test_a_listing_past_its_ttl_asks_the_endpoint_again(
    api: httpx.Client, provider_emulator: ProviderEmulator, clock: Clock
) -> None:
    api.get("/v1/providers/openai/models")
    provider_emulator.models = ["gpt-4o-mini", "gpt-5-new"]
    clock.now += 61

    again = api.get("/v1/providers/openai/models").json()

    assert again["source"] == "endpoint"
    assert [m["id"] for m in again["data"]] == ["openai/gpt-4o-mini", "openai/gpt-5-new"]
    assert listing_requests(provider_emulator) == 2


def test_anthropic_is_listed_in_its_own_wire_format(
    api: httpx.Client, provider_emulator: ProviderEmulator
) -> None:
    listing = api.get("/v1/providers/anthropic/models").json()

    assert listing["source"] == "endpoint"
    assert "anthropic/claude-haiku-4-5" in [m["id"] for m in listing["data"]]
    asked = [r for r in provider_emulator.requests if r.kind == "models"]
    assert asked[0].headers["x-api-key"] == UPSTREAM_KEY


def test_refresh_drops_the_cached_listing(api: httpx.Client, provider_emulator: ProviderEmulator) -> None:
    api.get("/v1/providers/openai/models")
    provider_emulator.models = ["gpt-4o-mini", "o9-preview"]

    cached = api.get("/v1/providers/openai/models").json()
    refreshed = api.post("/v1/providers/openai/models/refresh")

    assert cached["source"] == "cache"
    assert "openai/o9-preview" not in [m["id"] for m in cached["data"]]
    assert refreshed.status_code == 200
    assert refreshed.json()["source"] == "endpoint"
    assert [m["id"] for m in refreshed.json()["data"]] == ["openai/gpt-4o-mini", "openai/o9-preview"]
    assert api.get("/v1/providers/openai/models").json()["source"] == "cache"
    assert listing_requests(provider_emulator) == 2


def test_a_failing_endpoint_falls_back_to_the_bundled_map_and_is_not_cached(
    api: httpx.Client, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault(status=500))

    failed = api.get("/v1/providers/openai/models").json()
    later = api.get("/v1/providers/openai/models").json()

    assert failed["source"] == "bundled"
    assert "HTTP 500" in failed["error"]
    assert "openai/gpt-4o" in [m["id"] for m in failed["data"]]
    assert later["source"] == "endpoint"
    assert provider_emulator.url.removeprefix("http://") not in str(failed)


def test_offline_a_provider_without_a_key_is_listed_from_the_bundled_map(
    api: httpx.Client, provider_emulator: ProviderEmulator
) -> None:
    listing = api.get("/v1/providers/gemini/models").json()
    unlisted = api.get("/v1/providers/mistral/models").json()

    assert listing["source"] == "bundled"
    assert "set GEMINI_API_KEY or GOOGLE_API_KEY" in listing["error"]
    assert "gemini/gemini-2.5-flash" in [m["id"] for m in listing["data"]]
    assert all(m["provider"] == "gemini" for m in listing["data"])
    assert unlisted["source"] == "bundled"
    assert "no known listing endpoint" in unlisted["error"]
    assert all(m["id"].startswith("mistral/") for m in unlisted["data"])
    assert listing_requests(provider_emulator) == 0


def test_an_unknown_provider_is_a_404_naming_the_known_ones(api: httpx.Client) -> None:
    response = api.get("/v1/providers/opnai/models")

    assert response.status_code == 404
    error = error_of(response)
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "provider_not_found",
        "provider",
    )
    assert "did you mean 'openai'?" in error["message"]
    assert "anthropic" in error["message"]
    assert "gemini" in error["message"]
    assert api.post("/v1/providers/opnai/models/refresh").status_code == 404


def test_refresh_takes_no_fields(api: httpx.Client, provider_emulator: ProviderEmulator) -> None:
    response = api.post("/v1/providers/openai/models/refresh", json={"api_base": "http://elsewhere.test/v1"})

    assert response.status_code == 400
    error = error_of(response)
    assert error["param"] == "api_base"
    assert "'api_base' is not a field this server takes" in error["message"]
    assert listing_requests(provider_emulator) == 0


def test_with_keys_every_catalog_route_and_refresh_need_one(
    deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    app = catalog_app(deps, keys={CLIENT_KEY: None})
    with served(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        anonymous = client.post("/v1/providers/openai/models/refresh")
        wrong = client.post(
            "/v1/providers/openai/models/refresh", headers={"Authorization": "Bearer not-a-key"}
        )
        reads = [client.get("/v1/providers"), client.get("/v1/providers/openai/models")]
        estimate = client.post("/v1/cost/estimate", json={"model": "support", "input_tokens": 1})
        assert listing_requests(provider_emulator) == 0
        keyed = client.post(
            "/v1/providers/openai/models/refresh", headers={"Authorization": f"Bearer {CLIENT_KEY}"}
        )

    for refused in (anonymous, wrong, *reads, estimate):
        assert refused.status_code == 401
        assert error_of(refused)["code"] == "invalid_api_key"
    assert keyed.status_code == 200
    assert keyed.json()["source"] == "endpoint"
    assert listing_requests(provider_emulator) == 1


# Cost --------------------------------------------------------------------------------------------


def test_the_cost_of_token_counts(api: httpx.Client) -> None:
    response = api.post(
        "/v1/cost/estimate", json={"model": "openai/gpt-4o-mini", "input_tokens": 1000, "output_tokens": 500}
    )

    assert response.status_code == 200
    body = response.json()
    entry = litellm().model_cost["gpt-4o-mini"]
    assert body["input_cost_usd"] == pytest.approx(1000 * entry["input_cost_per_token"])
    assert body["output_cost_usd"] == pytest.approx(500 * entry["output_cost_per_token"])
    assert body["cost_usd"] == pytest.approx(body["input_cost_usd"] + body["output_cost_usd"])
    assert (body["priced_as"], body["counted"]) == ("openai/gpt-4o-mini", False)


def test_a_server_model_is_priced_with_its_spec_prices(provider_emulator: ProviderEmulator) -> None:
    priced = models(provider_emulator, input_cost_per_token=0.000002, output_cost_per_token=0.00001)
    deps = Dependencies.from_dict(priced, plugins=builtin_only(), env={})
    with served(catalog_app(deps)) as url:
        body = httpx.post(
            f"{url}/v1/cost/estimate",
            json={"model": "support", "input_tokens": 500, "output_tokens": 100},
            timeout=60,
        ).json()

    assert (body["model"], body["priced_as"]) == ("support", "openai/gpt-4o-mini")
    assert body["input_cost_usd"] == pytest.approx(0.001)
    assert body["output_cost_usd"] == pytest.approx(0.001)
    assert body["cost_usd"] == pytest.approx(0.002)


def test_messages_are_counted_as_the_library_counts_them(api: httpx.Client, deps: Dependencies) -> None:
    short = [{"role": "user", "content": "hi"}]
    long = [
        {"role": "system", "content": "You answer in French, briefly and politely."},
        {"role": "user", "content": [{"type": "text", "text": "Describe the Eiffel tower at length."}]},
    ]

    few = api.post("/v1/cost/estimate", json={"model": "support", "messages": short}).json()
    developer = [{"role": "developer", "content": "Be brief."}, *short]
    system = [{"role": "system", "content": "Be brief."}, *short]
    as_developer = api.post("/v1/cost/estimate", json={"model": "support", "messages": developer}).json()
    many = api.post(
        "/v1/cost/estimate", json={"model": "support", "messages": long, "output_tokens": 50}
    ).json()

    assert few["counted"] is True
    assert few["input_tokens"] == deps.get("support").count_tokens(short)
    assert many["input_tokens"] == deps.get("support").count_tokens(long)
    assert many["input_tokens"] > few["input_tokens"]
    assert as_developer["input_tokens"] == deps.get("support").count_tokens(system)  # as chat reads it
    price = litellm().model_cost["gpt-4o-mini"]
    assert many["cost_usd"] == pytest.approx(
        many["input_tokens"] * price["input_cost_per_token"] + 50 * price["output_cost_per_token"]
    )


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        (
            {"model": "support", "input_tokens": 5, "api_key": "sk-x"},
            "api_key",
            "not a field this server takes",
        ),
        ({"model": "support"}, "input_tokens", "give either input_tokens"),
        (
            {"model": "support", "input_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
            "messages",
            "not both",
        ),
        ({"model": "support", "input_tokens": -5}, "input_tokens", "input_tokens must be 0 or more"),
        ({"model": "support", "input_tokens": "5"}, "input_tokens", "must be an integer, not the string '5'"),
        ({"model": "support", "input_tokens": 1.5}, "input_tokens", "must be an integer"),
        ({"input_tokens": 5}, "model", "model is required"),
        ({"model": "openai/no-such-model-here", "input_tokens": 5}, "model", "no price is known"),
        (
            {
                "model": "support",
                "messages": [{"role": "user", "content": [{"type": "deferred", "source": "/etc/passwd"}]}],
            },
            "messages[0].content[0].type",
            "send text or image_url parts",
        ),
        (
            {"model": "support", "messages": [{"role": "wizard", "content": "x"}]},
            "messages",
            "messages[0].role",
        ),
        ({"model": "support", "messages": []}, "messages", "non-empty list"),
    ],
)
def test_a_bad_estimate_is_refused_naming_the_field(
    api: httpx.Client, body: dict[str, Any], param: str, words: str
) -> None:
    response = api.post("/v1/cost/estimate", json=body)

    assert response.status_code == 400
    error = error_of(response)
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert words in error["message"]


def test_a_body_that_is_not_a_json_object_is_refused(api: httpx.Client) -> None:
    broken = api.post("/v1/cost/estimate", content=b"{not json", headers={"Content-Type": "application/json"})
    listed = api.post("/v1/cost/estimate", json=[1, 2])

    assert broken.status_code == listed.status_code == 400
    assert "not valid JSON" in error_of(broken)["message"]
    assert "must be a JSON object" in error_of(listed)["message"]
