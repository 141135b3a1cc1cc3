"""What a key-holding tenant cannot do through the embeddings, catalog and cost routes: embed past its
budget, make the server list a provider's models over and over with the server's key, or get a
misleading answer for an absurd token count. Over real HTTP, against the provider emulator."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from llm_resolver_openai_server import RunningServer, ServerSettings, create_app
from llm_resolver_openai_server.catalog_routes import MAX_ESTIMATE_TOKENS, REFRESH_INTERVAL_S

from llm_resolver import Dependencies, Scope
from llm_resolver.backend import catalog
from llm_resolver.backend.loader import litellm
from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import CLIENT_KEY, TENANT_KEY, builtin_only, models
from .test_catalog_routes import Clock, catalog_app, error_of, listing_requests, served

EMBEDDING_MODEL = "openai/text-embedding-3-small"
TEXT = "lorem ipsum dolor sit amet " * 200
HELD = Scope(org="acme", guild="support")
TENANT = {"Authorization": f"Bearer {TENANT_KEY}"}
REFRESH = "/v1/providers/openai/models/refresh"


def embedding_cost() -> float:
    counted = catalog.count_tokens(EMBEDDING_MODEL, text=TEXT)
    return float(
        sum(litellm().cost_per_token(model=EMBEDDING_MODEL, prompt_tokens=counted, completion_tokens=0))
    )


@contextlib.contextmanager
def budgeted(emu: ProviderEmulator, budget_usd: float) -> Iterator[httpx.Client]:
    """The server with keys (the tenant held to acme/support) and a budget per scope."""
    deps = Dependencies.from_dict(models(emu, budget_usd=budget_usd), plugins=builtin_only(), env={})
    keys = {CLIENT_KEY: None, TENANT_KEY: HELD}
    with (
        RunningServer(create_app(deps, ServerSettings(api_keys=keys))) as running,
        httpx.Client(base_url=running.base_url, headers=TENANT, timeout=30) as client,
    ):
        yield client


def embedding_requests(emu: ProviderEmulator) -> int:
    return sum(1 for r in emu.requests if r.kind == "embeddings")


# Embeddings and budgets -----------------------------------------------------------------------------


def test_embeddings_are_refused_with_429_once_the_tenants_budget_is_spent(
    provider_emulator: ProviderEmulator,
) -> None:
    counted = catalog.count_tokens(EMBEDDING_MODEL, text=TEXT)
    provider_emulator.default_reply = Reply(usage=(counted, 0))  # bills what we count
    with budgeted(provider_emulator, 1.5 * embedding_cost()) as client:
        first = client.post("/embeddings", json={"model": "support", "input": TEXT})
        second = client.post("/embeddings", json={"model": "support", "input": TEXT})

    assert first.status_code == 200
    assert second.status_code == 429, second.text
    assert error_of(second)["code"] == "insufficient_quota"
    assert "acme/support/*" in error_of(second)["message"]
    assert embedding_requests(provider_emulator) == 1
    assert provider_emulator.request_count() == 1


def test_many_large_embedding_calls_stay_within_the_budget(provider_emulator: ProviderEmulator) -> None:
    """t10: twenty-five calls of twenty large texts each against a budget that fits about two."""
    counted = catalog.count_tokens(EMBEDDING_MODEL, text=TEXT)
    provider_emulator.default_reply = Reply(usage=(20 * counted, 0))
    budget = 2.5 * 20 * embedding_cost()
    with budgeted(provider_emulator, budget) as client:
        codes = [
            client.post("/embeddings", json={"model": "support", "input": [TEXT] * 20}).status_code
            for _ in range(25)
        ]

    assert codes == [200, 200] + [429] * 23
    assert embedding_requests(provider_emulator) == 2


def test_a_tenant_naming_sub_scopes_embeds_within_its_held_scopes_budget(
    provider_emulator: ProviderEmulator,
) -> None:
    counted = catalog.count_tokens(EMBEDDING_MODEL, text=TEXT)
    provider_emulator.default_reply = Reply(usage=(counted, 0))
    with budgeted(provider_emulator, 1.5 * embedding_cost()) as client:
        codes = [
            client.post(
                "/embeddings",
                json={"model": "support", "input": TEXT},
                headers={"X-LLM-Scope": f"acme/support/agent-{i}"},
            ).status_code
            for i in range(3)
        ]

    assert codes == [200, 429, 429]


# Refreshing listings --------------------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def catalog_api(deps: Dependencies, clock: Clock) -> Iterator[httpx.Client]:
    with (
        served(catalog_app(deps, clock=clock, ttl=600)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def test_refreshes_within_the_interval_ask_the_provider_once(
    catalog_api: httpx.Client, provider_emulator: ProviderEmulator, clock: Clock
) -> None:
    answers = [catalog_api.post(REFRESH) for _ in range(50)]

    assert listing_requests(provider_emulator) == 1
    assert all(a.status_code == 200 for a in answers)
    assert answers[0].json()["source"] == "endpoint"
    assert {a.json()["source"] for a in answers[1:]} == {"cache"}
    assert {tuple(m["id"] for m in a.json()["data"]) for a in answers} == {
        tuple(m["id"] for m in answers[0].json()["data"])
    }

    clock.now += 10
    assert catalog_api.post(REFRESH).json()["age_s"] == pytest.approx(10)
    clock.now += REFRESH_INTERVAL_S
    provider_emulator.models = ["gpt-4o-mini", "o9-preview"]
    again = catalog_api.post(REFRESH).json()
    assert again["source"] == "endpoint"
    assert "openai/o9-preview" in [m["id"] for m in again["data"]]
    assert listing_requests(provider_emulator) == 2


def test_concurrent_refreshes_share_one_request_to_the_provider(
    catalog_api: httpx.Client, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.slow(1.0))  # the listing answers after a second

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: catalog_api.post(REFRESH), range(20)))

    assert all(a.status_code == 200 for a in answers)
    assert {a.json()["source"] for a in answers} == {"endpoint"}
    assert listing_requests(provider_emulator) == 1


def test_a_failed_refresh_is_not_retried_within_the_interval_either(
    catalog_api: httpx.Client, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.server_error())

    answers = [catalog_api.post(REFRESH).json() for _ in range(10)]

    assert {a["source"] for a in answers} == {"bundled"}
    assert all(a["error"] for a in answers)
    assert listing_requests(provider_emulator) == 1


def test_refreshing_one_provider_does_not_hold_back_another(
    catalog_api: httpx.Client, provider_emulator: ProviderEmulator
) -> None:
    catalog_api.post(REFRESH)
    other = catalog_api.post("/v1/providers/anthropic/models/refresh")

    assert other.json()["source"] == "endpoint"
    assert listing_requests(provider_emulator) == 2


# Estimates with absurd counts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "support", "input_tokens": 5, "output_tokens": 10**400}, "output_tokens"),
        ({"model": "support", "input_tokens": 10**400}, "input_tokens"),
        (
            {"model": "openai/gpt-4o-mini", "input_tokens": 5, "output_tokens": MAX_ESTIMATE_TOKENS + 1},
            "output_tokens",
        ),
    ],
)
def test_an_absurd_token_count_is_refused_naming_the_field(
    catalog_api: httpx.Client, body: dict[str, Any], param: str
) -> None:
    response = catalog_api.post("/v1/cost/estimate", json=body)

    assert response.status_code == 400
    error = error_of(response)
    assert error["param"] == param
    assert f"{param} must be at most {MAX_ESTIMATE_TOKENS}" in error["message"]
    assert "no price" not in error["message"]
    assert len(error["message"]) < 300  # a 401-digit number is described, not echoed


def test_the_largest_count_taken_is_priced(catalog_api: httpx.Client) -> None:
    response = catalog_api.post(
        "/v1/cost/estimate",
        json={"model": "support", "input_tokens": 0, "output_tokens": MAX_ESTIMATE_TOKENS},
    )

    assert response.status_code == 200
    assert response.json()["output_cost_usd"] > 0
