"""Keys held to a scope: a tenant is metered and budgeted in its own scope and cannot leave it."""

from __future__ import annotations

import httpx
import pytest
from llm_resolver_openai_server import RunningServer
from llm_resolver_openai_server.access import parse_keys

from llm_resolver import Dependencies, Scope
from llm_resolver.testing import ProviderEmulator

from .conftest import CLIENT_KEY, TENANT_KEY

HI = {"model": "support", "messages": [{"role": "user", "content": "hi"}]}


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
