"""``router(deps, auth=...)`` mounted in a host's own FastAPI application, beside its other routes,
behind the host's own auth dependency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
import openai
import pytest
from fastapi import Depends, FastAPI, Header, HTTPException
from llm_resolver_openai_server import Caller, RunningServer, ServerDeps, router

from llm_resolver import Dependencies, Scope
from llm_resolver.testing import ProviderEmulator, Reply

HI = [{"role": "user", "content": "hi"}]
USERS = {"alice-token": "alice", "bob-token": "bob"}


def current_user(authorization: Annotated[str, Header()] = "") -> str:
    """The host's own session check (its own header, its own 401 shape)."""
    user = USERS.get(authorization.removeprefix("Bearer "))
    if user is None:
        raise HTTPException(status_code=401, detail="log in first")
    return user


def llm_caller(user: Annotated[str, Depends(current_user)]) -> Caller:
    """Each user spends in their own org."""
    return Caller(identity=user, scope=Scope(org=user))


def host_app(deps: Dependencies, prefix: str = "") -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    def hello(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
        return {"hello": user}

    app.include_router(router(deps, auth=llm_caller), prefix=prefix)
    return app


@pytest.fixture
def host(deps: Dependencies) -> Iterator[str]:
    with RunningServer(host_app(deps, prefix="/llm")) as running:
        yield running.base_url.removesuffix("/v1")


def test_the_sdk_reaches_the_mounted_routes_with_the_hosts_auth(
    host: str, deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="hi alice"))

    with openai.OpenAI(base_url=f"{host}/llm/v1", api_key="alice-token", max_retries=0) as sdk:
        reply = sdk.chat.completions.create(model="support", messages=HI)  # type: ignore[arg-type]
        names = [m.id for m in sdk.models.list()]

    assert reply.choices[0].message.content == "hi alice"
    assert names == ["claude", "support"]
    assert deps.resolver("support").meter.totals(Scope(org="alice")).calls == 1  # type: ignore[attr-defined]
    hello = httpx.get(f"{host}/hello", headers={"Authorization": "Bearer bob-token"}, timeout=10)
    assert hello.json() == {"hello": "bob"}


def test_the_hosts_auth_answers_in_its_own_shape(host: str, provider_emulator: ProviderEmulator) -> None:
    response = httpx.post(
        f"{host}/llm/v1/chat/completions", json={"model": "support", "messages": HI}, timeout=10
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "log in first"}
    assert provider_emulator.request_count() == 0


def test_a_user_cannot_name_another_users_scope(host: str, provider_emulator: ProviderEmulator) -> None:
    with (
        openai.OpenAI(base_url=f"{host}/llm/v1", api_key="alice-token", max_retries=0) as sdk,
        pytest.raises(openai.PermissionDeniedError) as caught,
    ):
        sdk.chat.completions.create(model="support", messages=HI, extra_headers={"X-LLM-Scope": "bob"})  # type: ignore[arg-type]

    assert caught.value.code == "scope_not_allowed"
    assert provider_emulator.request_count() == 0


def test_mounted_errors_are_openai_shaped_with_a_request_id(host: str) -> None:
    response = httpx.post(
        f"{host}/llm/v1/chat/completions",
        json={"model": "support", "messages": HI, "max_tokens": -5},
        headers={"Authorization": "Bearer alice-token"},
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "max_tokens"
    assert response.headers["x-request-id"].startswith("req_")


def test_sibling_routers_share_one_server_deps(
    deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    """Two routers from one ServerDeps count one caller's scopes once, in one book."""
    from llm_resolver_openai_server import ServerSettings

    shared = ServerDeps(deps, ServerSettings(max_scopes_per_key=1))
    app = FastAPI()
    app.include_router(router(shared, auth=llm_caller), prefix="/a")
    app.include_router(router(shared, auth=llm_caller), prefix="/b")
    headers = {"Authorization": "Bearer alice-token"}
    body = {"model": "support", "messages": HI}

    with RunningServer(app) as running:
        base = running.base_url.removesuffix("/v1")
        first = httpx.post(f"{base}/a/v1/chat/completions", json=body, headers=headers, timeout=10)
        other = httpx.post(
            f"{base}/b/v1/chat/completions",
            json=body,
            headers={**headers, "X-LLM-Scope": "alice/support"},
            timeout=10,
        )

    assert (first.status_code, other.status_code) == (200, 429)
    assert other.json()["error"]["code"] == "too_many_scopes"


def test_an_auth_dependency_must_return_a_caller(deps: Dependencies) -> None:
    app = FastAPI()
    app.include_router(router(deps, auth=lambda: "alice"))

    with RunningServer(app) as running:
        response = httpx.get(f"{running.base_url}/models", timeout=10)

    assert response.status_code == 500
    assert response.json()["error"]["message"] == (
        "the auth dependency returned a str, not a Caller; fix the server's auth"
    )
