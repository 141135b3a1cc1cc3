"""The server's routes inside a host's own FastAPI application, behind the host's own auth.

The host has a route of its own (`/hello`) and knows its users by a session token. It mounts the
OpenAI routes and the catalog routes under `/llm`, and its auth dependency says who calls and which
scope (here: the user's own org) they spend in. An OpenAI client then uses the host's address with the
user's token as its API key. Here the app runs on a background thread in front of the embedded
provider emulator.
"""

from __future__ import annotations

from typing import Annotated

import httpx
import openai
from fastapi import Depends, FastAPI, Header, HTTPException
from llm_resolver_openai_server import Caller, RunningServer, ServerDeps, catalog_router, router

from llm_resolver import Dependencies, Scope
from llm_resolver.testing import ProviderEmulator, Reply

SESSIONS = {"token-alice": "alice", "token-bob": "bob"}  # the host's own users


def current_user(authorization: Annotated[str, Header()] = "") -> str:
    user = SESSIONS.get(authorization.removeprefix("Bearer "))
    if user is None:
        raise HTTPException(status_code=401, detail="sign in first")
    return user


def llm_caller(user: Annotated[str, Depends(current_user)]) -> Caller:
    return Caller(identity=user, scope=Scope(org=user))  # each user spends in their own org


def host_app(deps: Dependencies) -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    def hello(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
        return {"hello": user}

    shared = ServerDeps(deps)  # validates every spec now; both routers share its scope book
    app.include_router(router(shared, auth=llm_caller), prefix="/llm")
    app.include_router(catalog_router(shared, auth=llm_caller), prefix="/llm")
    return app


def main() -> None:
    with ProviderEmulator() as emulator:
        deps = Dependencies.from_dict(
            {
                "assistant": {
                    "class_name": "litellm",
                    "properties": {
                        "model": "openai/gpt-4o-mini",
                        "api_base": emulator.openai_base,
                        "api_key": "upstream-key",
                    },
                }
            }
        )
        emulator.script(Reply(text="Hello Alice, how can I help?", usage=(14, 8)))
        with RunningServer(host_app(deps)) as server:
            root = server.base_url.removesuffix("/v1")
            print(
                f"host route: {httpx.get(f'{root}/hello', headers={'authorization': 'token-alice'}).json()}"
            )
            with openai.OpenAI(base_url=f"{root}/llm/v1", api_key="token-alice") as alice:
                reply = alice.chat.completions.create(
                    model="assistant", messages=[{"role": "user", "content": "Hi!"}]
                )
                print(f"alice: {reply.choices[0].message.content}")
            with openai.OpenAI(base_url=f"{root}/llm/v1", api_key="not-a-session", max_retries=0) as stranger:
                try:
                    stranger.models.list()
                except openai.AuthenticationError as exc:
                    print(f"stranger: {exc.status_code} {exc.body}")
            estimate = httpx.post(
                f"{root}/llm/v1/cost/estimate",
                headers={"authorization": "Bearer token-bob"},
                json={"model": "assistant", "input_tokens": 1000, "output_tokens": 200},
            ).json()
            print(f"estimate for 1,000 + 200 tokens: ${estimate['cost_usd']:.6f}")


if __name__ == "__main__":
    main()
