"""Who may call: keys held to a scope (a tenant is metered and budgeted in its own scope and cannot
leave it), loopback only without keys, and a bounded number of scopes per key."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from llm_resolver_openai_server import RunningServer, ServerSettings, create_app
from llm_resolver_openai_server.access import ScopeBook, parse_keys

from llm_resolver import Dependencies, Scope, SpecError
from llm_resolver.addresses import is_loopback
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import CLIENT_KEY, TENANT_KEY, builtin_only, models

HI = {"model": "support", "messages": [{"role": "user", "content": "hi"}]}
BEARER = {"Authorization": f"Bearer {CLIENT_KEY}"}


def ask(server: RunningServer, key: str, scope: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", **({"X-LLM-Scope": scope} if scope else {})}
    return httpx.post(f"{server.base_url}/chat/completions", json=HI, headers=headers, timeout=10)


def test_the_keys_variable_holds_keys_to_scopes() -> None:
    keys = parse_keys(" k1, k2=acme ,k3=acme/support,padded==,,")

    assert keys == {
        "k1": None,
        "k2": Scope(org="acme"),
        "k3": Scope(org="acme", guild="support"),
        "padded==": None,  # base64 padding is part of a key, not a scope
    }


@pytest.mark.parametrize(
    ("header", "metered"),
    [
        (None, Scope(org="acme", guild="support")),
        ("acme/support/bot", Scope(org="acme", guild="support", agent="bot")),
        ("*/*/bot", Scope(org="acme", guild="support", agent="bot")),
    ],
)
def test_a_held_key_is_metered_within_its_scope(
    keyed_server: RunningServer, deps: Dependencies, header: str | None, metered: Scope
) -> None:
    assert ask(keyed_server, TENANT_KEY, header).status_code == 200

    meter = deps.resolver("support").meter  # type: ignore[attr-defined]
    assert meter.totals(metered).calls == 1


@pytest.mark.parametrize("header", ["globex", "acme/sales", "globex/support/bot"])
def test_a_held_key_cannot_leave_its_scope(
    keyed_server: RunningServer, provider_emulator: ProviderEmulator, header: str
) -> None:
    response = ask(keyed_server, TENANT_KEY, header)

    assert response.status_code == 403
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("scope_not_allowed", "X-LLM-Scope")
    assert "only use scopes under acme/support/*" in error["message"]
    assert provider_emulator.request_count() == 0


def test_a_free_key_chooses_any_scope(keyed_server: RunningServer, deps: Dependencies) -> None:
    assert ask(keyed_server, CLIENT_KEY, "globex").status_code == 200

    assert deps.resolver("support").meter.totals(Scope(org="globex")).calls == 1  # type: ignore[attr-defined]


# Without keys: loopback only, whoever runs the app.


def test_running_server_refuses_an_open_address_without_keys(deps: Dependencies) -> None:
    with pytest.raises(
        SpecError,
        match=re.escape("refusing to serve on 0.0.0.0 without API keys; set LLM_RESOLVER_SERVER_KEYS"),
    ):
        RunningServer(create_app(deps), host="0.0.0.0")


def test_running_server_serves_an_open_address_with_keys(deps: Dependencies) -> None:
    with RunningServer(
        create_app(deps, ServerSettings(api_keys={CLIENT_KEY: None})), host="0.0.0.0"
    ) as server:
        port = httpx.URL(server.base_url).port
        response = httpx.get(f"http://127.0.0.1:{port}/v1/models", headers=BEARER, timeout=10)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),  # an IPv4 client of a dual-stack socket
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.7", False),
        ("::ffff:192.0.2.7", False),
        ("example.com", False),
        ("", False),
        (None, False),  # a peer aiohttp cannot name (a UNIX socket): not known to be local
    ],
)
def test_what_counts_as_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def own_address() -> str:
    """An address of this machine that is not loopback (the route out), or skip."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the route
        except OSError:
            pytest.skip("this machine has no non-loopback IPv4 address")
        address = str(probe.getsockname()[0])
    if is_loopback(address):
        pytest.skip("this machine has no non-loopback IPv4 address")
    return address


@contextlib.asynccontextmanager
async def served(app: Any, host: str) -> AsyncIterator[str]:
    """The app on ``host`` with plain uvicorn, as a host application would serve it."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=0, log_config=None, lifespan="on"))
    task = asyncio.ensure_future(server.serve())
    while not server.started and not task.done():  # noqa: ASYNC110 (uvicorn sets a flag, no event)
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task


async def test_an_app_without_keys_refuses_peers_off_this_machine(
    deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    address = own_address()
    async with served(create_app(deps), address) as base, httpx.AsyncClient(timeout=10) as http:
        chat = await http.post(f"{base}/v1/chat/completions", json=HI)
        health = await http.get(f"{base}/healthz")

    assert (chat.status_code, health.status_code) == (403, 403)
    error = chat.json()["error"]
    assert (error["type"], error["code"]) == ("permission_error", "api_keys_required")
    assert "configure keys (LLM_RESOLVER_SERVER_KEYS, or ServerSettings.api_keys)" in error["message"]
    assert provider_emulator.request_count() == 0


async def test_an_app_with_keys_answers_peers_off_this_machine(deps: Dependencies) -> None:
    address = own_address()
    app = create_app(deps, ServerSettings(api_keys={CLIENT_KEY: None}))
    async with served(app, address) as base, httpx.AsyncClient(timeout=10) as http:
        models = await http.get(f"{base}/v1/models", headers=BEARER)

    assert models.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "X-Forwarded-For",
        "Forwarded",
        "X-Real-IP",
        "X-Forwarded-Host",
        "Via",
        "CF-Connecting-IP",
        "True-Client-IP",
        "Fastly-Client-IP",
        "X-Client-IP",
        "X-Cluster-Client-IP",
    ],
)
def test_an_app_without_keys_refuses_what_a_proxy_forwards(
    server: RunningServer, provider_emulator: ProviderEmulator, header: str
) -> None:
    response = httpx.post(
        f"{server.base_url}/chat/completions", json=HI, headers={header: "203.0.113.9"}, timeout=10
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "api_keys_required"
    assert provider_emulator.request_count() == 0


# Scopes per key: each holds resolved LLMs, meters and budgets, so a key may only use so many.


@pytest.fixture
def few_scopes(deps: Dependencies) -> Iterator[RunningServer]:
    keys = {CLIENT_KEY: None, "other-key": None}
    with RunningServer(create_app(deps, ServerSettings(api_keys=keys, max_scopes_per_key=2))) as running:
        yield running


def test_a_key_may_use_only_so_many_scopes(
    few_scopes: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    assert [ask(few_scopes, CLIENT_KEY, s).status_code for s in ("a", "b", "a/x", "b", "a")] == [
        200,
        200,
        429,
        200,
        200,
    ]

    refused = ask(few_scopes, CLIENT_KEY, "c")
    assert refused.status_code == 429
    assert refused.headers["x-should-retry"] == "false"  # OpenAI's SDKs would retry a 429 otherwise
    error = refused.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "rate_limit_error",
        "too_many_scopes",
        "X-LLM-Scope",
    )
    assert error["message"] == (
        "this key has used its 2 scopes; reuse one of them, or raise the server's max_scopes_per_key "
        "(llm-resolver serve --max-scopes-per-key)"
    )
    assert ask(few_scopes, "other-key", "c").status_code == 200  # the limit is per key
    assert provider_emulator.request_count() == 5


def test_the_sdk_does_not_retry_the_scope_limit(
    few_scopes: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    with openai.OpenAI(base_url=few_scopes.base_url, api_key=CLIENT_KEY, max_retries=3) as sdk:
        for scope in ("a", "b"):
            sdk.chat.completions.create(
                model="support", messages=HI["messages"], extra_headers={"X-LLM-Scope": scope}
            )  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(openai.RateLimitError) as caught:
            sdk.chat.completions.create(
                model="support", messages=HI["messages"], extra_headers={"X-LLM-Scope": "c"}
            )  # type: ignore[arg-type]

    assert caught.value.code == "too_many_scopes"
    assert time.monotonic() - started < 0.5  # no backoff: the SDK gave up at once


def test_without_keys_the_caller_may_use_only_so_many_scopes(deps: Dependencies) -> None:
    with RunningServer(create_app(deps, ServerSettings(max_scopes_per_key=1))) as server:
        first, second = (
            httpx.post(f"{server.base_url}/chat/completions", json=HI, headers={"X-LLM-Scope": s}, timeout=10)
            for s in ("a", "b")
        )
        assert (first.status_code, second.status_code) == (200, 429)


def test_the_scope_book_stays_bounded() -> None:
    book = ScopeBook(3)

    admitted = [book.admit("k", Scope(org=f"org{i}")) for i in range(10_000)]

    assert admitted.count(True) == 3
    assert book.admit("k", Scope(org="org1")) is True
    assert book.admit(None, Scope(org="org9999")) is True  # another caller, its own book page


@pytest.mark.parametrize("limit", [0, -1, True, "10"])
def test_the_scope_limit_must_be_a_positive_int(limit: object) -> None:
    with pytest.raises(SpecError, match="max_scopes_per_key must be a positive int"):
        ServerSettings(max_scopes_per_key=limit)  # type: ignore[arg-type]


def test_a_held_key_spends_one_budget_whatever_sub_scopes_it_names(
    provider_emulator: ProviderEmulator,
) -> None:
    """A key held to acme/support naming acme/support/agent-N for fresh N gets no fresh budget: every
    call is also held to acme/support's budget, which covers them all."""
    from llm_resolver.backend.loader import litellm  # priced as the server prices it

    provider_emulator.default_reply = Reply(usage=(10, 100))
    each = sum(litellm().cost_per_token(model="openai/gpt-4o-mini", prompt_tokens=20, completion_tokens=100))
    specs = models(provider_emulator, budget_usd=2.5 * each, max_tokens=100)
    deps = Dependencies.from_dict(specs, plugins=builtin_only(), env={})
    keys = {TENANT_KEY: Scope(org="acme", guild="support")}
    with RunningServer(create_app(deps, ServerSettings(api_keys=keys))) as server:
        statuses = [ask(server, TENANT_KEY, f"acme/support/agent-{n}").status_code for n in range(6)]
    assert statuses == [200, 200, 429, 429, 429, 429]
    assert provider_emulator.request_count() == 2
    meter = deps.resolver("support").meter  # type: ignore[attr-defined]
    assert meter.spend(Scope("acme", "support")) <= 2.5 * each
