"""``catalog_router``: which providers and models there are, what they cost, and what a prompt will cost.

Listings come from the library's three tiers (cache, the provider's listing endpoint, LiteLLM's bundled
map). A provider is asked at the endpoint, with the key, that the server's own specs give it, else at
its public endpoint with the key from the environment: a caller names a provider, never an endpoint or
a key. Answers say whether a key is configured and which variable holds it, never a value. Every route
sits behind the host's ``auth`` dependency, so a refresh (which spends the server's credentials on the
provider) needs a key whenever the server has keys. Refreshes are coalesced: at most one asks the
provider per ``REFRESH_INTERVAL_S``, and concurrent ones share that one request.
"""

from __future__ import annotations

import asyncio
import difflib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from llm_resolver import ChatRequest, Dependencies, ModelInfo, Usage
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target, targets_for
from llm_resolver.catalog import ModelLister, ModelListing
from llm_resolver.catalog.bundled import known_providers
from llm_resolver.catalog.endpoints import DEFAULT_BASES
from llm_resolver.catalog.listing import DEFAULT_TIMEOUT, DEFAULT_TTL
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.catalog.providers import provider_for
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.config.providers import PROVIDER_KEY_VARS
from llm_resolver.tokens import prompt_tokens
from llm_resolver_openai_server import wire
from llm_resolver_openai_server.auth import key_auth
from llm_resolver_openai_server.errors import Refused, invalid_request, public
from llm_resolver_openai_server.fields import WireError, check_types, read_fields
from llm_resolver_openai_server.routes import Auth
from llm_resolver_openai_server.routing import OpenAIRoute, read_json
from llm_resolver_openai_server.server_deps import ServerDeps
from llm_resolver_openai_server.settings import ServerSettings

# Any key-holding tenant may refresh, and each refresh spends the server's provider key on a listing
# call and clears the listing every tenant shares: so a provider is asked again at most this often;
# refreshes in between are answered with the last refresh's listing.
REFRESH_INTERVAL_S = 60.0
# A bound on the token counts an estimate takes: above every context window and output limit by
# orders of magnitude, and far inside what prices can be multiplied by (10**400 is no float).
MAX_ESTIMATE_TOKENS = 10**10

_ESTIMATE_TYPES = {
    "model": "string",
    "input_tokens": "integer",
    "output_tokens": "integer",
    "messages": "array",
}


@dataclass(frozen=True)
class _Refresh:
    """A provider's last refresh: when it asked the provider, and what it got."""

    at: float
    listing: ModelListing


@dataclass
class _Endpoint:
    """Where the server's specs reach a provider, and which of them do."""

    api_base: str | None
    api_key: SecretStr | None = field(repr=False)
    used_by: list[str] = field(default_factory=list)


class _Catalog:
    def __init__(
        self,
        server: ServerDeps,
        env: Mapping[str, str] | None,
        ttl: float,
        timeout: float,
        clock: Callable[[], float],
    ) -> None:
        self._settings = server.settings
        self._env = env
        self._ttl, self._timeout, self._clock = ttl, timeout, clock
        self._endpoints: dict[str, _Endpoint] = {}
        self._priced: dict[str, Target] = {}  # spec name -> its primary target, with the spec's prices
        for name in server.models:
            config = getattr(server.dependencies.resolver(name), "config", None)  # other resolvers: none
            if isinstance(config, LiteLLMConfig):
                self._add_spec(name, config)
        self._listers: dict[str, ModelLister] = {}  # one per provider, so a refresh drops only its own
        self._refreshes: dict[str, _Refresh] = {}
        self._refreshing: dict[str, asyncio.Future[ModelListing]] = {}  # in flight, shared by callers

    def _add_spec(self, name: str, config: LiteLLMConfig) -> None:
        targets = ModelCatalog.from_config(config).priced(targets_for(config))
        self._priced[name] = targets[0]
        for target in targets:
            provider = provider_for(target.model, target.api_base, name)
            endpoint = self._endpoints.setdefault(provider, _Endpoint(target.api_base, target.api_key))
            if name not in endpoint.used_by:
                endpoint.used_by.append(name)

    # Routes --------------------------------------------------------------------------------------

    def providers(self) -> dict[str, Any]:
        """Every provider LiteLLM knows, those this server's specs use first."""
        names = self._known()
        order = sorted(names, key=lambda p: (p not in self._endpoints, p))
        return {"object": "list", "data": [self._provider_body(p) for p in order]}

    async def models(self, provider: str) -> dict[str, Any]:
        return _listing_body(await self._listing(provider, refresh=False), self._ttl)

    async def refresh(self, provider: str, request: Request) -> dict[str, Any]:
        """Takes no fields: the endpoint and the key are the server's."""
        if request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers:
            read_fields(await read_json(request, self._settings), frozenset(), frozenset(), {})
        return _listing_body(await self._listing(provider, refresh=True), self._ttl)

    async def estimate(self, request: Request) -> dict[str, Any]:
        fields, _ = read_fields(
            await read_json(request, self._settings), frozenset(_ESTIMATE_TYPES), frozenset(), {}
        )
        check_types(fields, _ESTIMATE_TYPES)
        if not fields.get("model"):
            raise WireError("model is required: one of this server's models, or a provider/model", "model")
        for name in ("input_tokens", "output_tokens"):
            count = fields.get(name, 0)
            if count < 0:
                raise WireError(f"{name} must be 0 or more, not {_shown(count)}", name)
            if count > MAX_ESTIMATE_TOKENS:
                raise WireError(
                    f"{name} must be at most {MAX_ESTIMATE_TOKENS} (no model reads or writes that many "
                    f"tokens in a call), not {_shown(count)}",
                    name,
                )
        if ("input_tokens" in fields) == ("messages" in fields):
            which = "messages" if "messages" in fields else "input_tokens"
            raise WireError("give either input_tokens (a count) or messages (to be counted), not both", which)
        # the messages are read as a chat completion reads them: the same parts, roles and errors
        chat = (
            wire.chat_call({"model": fields["model"], "messages": fields["messages"]})
            if "messages" in fields
            else None
        )
        return await run_in_threadpool(
            self._estimate,
            fields["model"],
            chat.request if chat else None,
            fields.get("input_tokens", 0),
            fields.get("output_tokens", 0),
        )

    # Work ----------------------------------------------------------------------------------------

    def _known(self) -> list[str]:
        return sorted({*known_providers(), *DEFAULT_BASES, *self._endpoints})

    def _provider_body(self, provider: str) -> dict[str, Any]:
        endpoint = self._endpoints.get(provider)
        variables = PROVIDER_KEY_VARS.get(provider, ())
        source = "spec" if endpoint and endpoint.api_key else self._key_variable(variables)
        asks = bool(endpoint and endpoint.api_base) or (provider in DEFAULT_BASES and source is not None)
        return {
            "id": provider,
            "object": "provider",
            "key_configured": source is not None,
            "key_source": source,
            "key_variables": list(variables),
            "listing": "endpoint" if asks else "bundled",
            "used_by": list(endpoint.used_by) if endpoint else [],
        }

    def _key_variable(self, variables: tuple[str, ...]) -> str | None:
        env = os.environ if self._env is None else self._env
        return next((v for v in variables if env.get(v)), None)

    async def _listing(self, provider: str, refresh: bool) -> ModelListing:
        known = await run_in_threadpool(self._known)
        if provider not in known:
            close = difflib.get_close_matches(provider.lower(), known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            message = f"unknown provider {provider!r}; {hint}known providers: {', '.join(known)}"
            raise Refused(invalid_request(message, "provider", status=404, code="provider_not_found"))
        if refresh:
            return await self._refresh(provider)
        return await self._list(provider)

    async def _refresh(self, provider: str) -> ModelListing:
        """Ask the provider again, unless a refresh did within ``REFRESH_INTERVAL_S``: then that
        refresh's listing, aged. Refreshes arriving while one is in flight wait for it and share its
        answer (shielded: a caller that goes away does not cancel it for the others)."""
        flight = self._refreshing.get(provider)
        if flight is None:
            last = self._refreshes.get(provider)
            now = self._clock()
            if last is not None and now - last.at < REFRESH_INTERVAL_S:
                return _aged(last, now)
            flight = asyncio.ensure_future(self._refetch(provider))
            self._refreshing[provider] = flight
            flight.add_done_callback(lambda _: self._refreshing.pop(provider, None))
        return await asyncio.shield(flight)

    async def _refetch(self, provider: str) -> ModelListing:
        at = self._clock()
        self._listers.setdefault(provider, ModelLister(self._clock)).clear()
        listing = await self._list(provider)
        self._refreshes[provider] = _Refresh(at, listing)
        return listing

    async def _list(self, provider: str) -> ModelListing:
        lister = self._listers.setdefault(provider, ModelLister(self._clock))
        endpoint = self._endpoints.get(provider)
        return await lister.alist_models(
            provider,
            api_base=endpoint.api_base if endpoint else None,
            api_key=endpoint.api_key if endpoint else None,
            ttl=self._ttl,
            timeout=self._timeout,
            env=self._env,
        )

    def _estimate(
        self, model: str, request: ChatRequest | None, input_tokens: int, output_tokens: int
    ) -> dict[str, Any]:
        target = self._priced.get(model) or Target(model=model)
        if request is not None:  # counted as the context check counts a prompt
            input_tokens = prompt_tokens(target.model, request)
        input_cost = price(target, Usage(prompt_tokens=input_tokens))
        output_cost = price(target, Usage(completion_tokens=output_tokens))
        if input_cost is None or output_cost is None:
            known = ", ".join(sorted(self._priced)) or "none"
            message = (
                f"no price is known for {model!r}: it is neither one of this server's models "
                f"({known}) nor priced in LiteLLM's model map; name a provider/model such as "
                "openai/gpt-4o-mini"
            )
            raise Refused(invalid_request(message, "model", code="model_not_priced"))
        return {
            "object": "cost_estimate",
            "model": model,
            "priced_as": target.model,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "counted": request is not None,
            "input_cost_usd": input_cost,
            "output_cost_usd": output_cost,
            "cost_usd": input_cost + output_cost,
        }


def catalog_router(
    deps: Dependencies | ServerDeps,
    auth: Auth | None = None,
    settings: ServerSettings | None = None,
    *,
    env: Mapping[str, str] | None = None,
    ttl: float = DEFAULT_TTL,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Callable[[], float] = time.monotonic,
) -> APIRouter:
    """The catalog and cost routes for ``deps`` (whose endpoints, keys and prices they use), each
    behind ``auth`` as the chat router takes it (default: the settings' keys). ``env`` stands in for
    the process environment (provider key variables); ``ttl``: how long a listing endpoint's answer is
    kept; ``clock``: monotonic seconds, for the listing's age."""
    server = ServerDeps.of(deps, settings)
    catalog = _Catalog(server, env, ttl, timeout, clock)
    auth = auth or key_auth(server.settings.api_keys)
    router = APIRouter(dependencies=[Depends(auth)], route_class=OpenAIRoute)
    router.add_api_route("/v1/providers", catalog.providers, methods=["GET"])
    router.add_api_route("/v1/providers/{provider}/models", catalog.models, methods=["GET"])
    router.add_api_route("/v1/providers/{provider}/models/refresh", catalog.refresh, methods=["POST"])
    router.add_api_route("/v1/cost/estimate", catalog.estimate, methods=["POST"])
    return router


def _aged(last: _Refresh, now: float) -> ModelListing:
    """A refresh's listing given again: from the cache now, if it came from the endpoint."""
    source = "cache" if last.listing.source == "endpoint" else last.listing.source
    return last.listing.model_copy(update={"source": source, "age_s": last.listing.age_s + now - last.at})


def _shown(count: int) -> str:
    """A count for a message; a huge one by its size rather than its hundreds of digits."""
    return str(count) if abs(count) < 10**20 else f"a {len(str(abs(count)))}-digit number"


def _listing_body(listing: ModelListing, ttl: float) -> dict[str, Any]:
    return {
        "object": "list",
        "provider": listing.provider,
        "source": listing.source,
        "age_s": round(listing.age_s, 3),
        "ttl_s": ttl,
        # why the endpoint was not used, any address it quotes replaced: that is the server's to know
        "error": public(listing.error) if listing.error else None,
        "data": [_model_body(m) for m in listing.models],
    }


def _model_body(info: ModelInfo) -> dict[str, Any]:
    return {
        "id": info.model,
        "object": "model",
        "provider": info.provider,
        "context": {"max_input_tokens": info.max_input_tokens, "max_output_tokens": info.max_output_tokens},
        "capabilities": {
            "vision": info.supports_vision,
            "tools": info.supports_tools,
            "response_schema": info.supports_response_schema,
        },
        "pricing": {
            "input_usd_per_token": info.input_cost_per_token,
            "output_usd_per_token": info.output_cost_per_token,
        },
    }
