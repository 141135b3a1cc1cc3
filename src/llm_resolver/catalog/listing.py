"""``list_models``: which models a provider offers, from three tiers — the in-process cache, the
provider's listing endpoint, and LiteLLM's bundled map when the endpoint cannot be asked or fails.

This is not a completion, and LiteLLM has no uniform listing, so the endpoint is asked with httpx and
a short timeout. Only endpoint answers are cached: after a failure the next call asks again.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

from llm_resolver.catalog.bundled import bundled_entries, bundled_models, known_providers
from llm_resolver.catalog.endpoints import DEFAULT_BASES, Listed, Walk, walk
from llm_resolver.catalog.model_catalog import info_from_entry
from llm_resolver.config.providers import PROVIDER_KEY_VARS
from llm_resolver.errors import SpecError
from llm_resolver.redaction import mask_url_credentials, redact
from llm_resolver.types.responses import ModelInfo

if TYPE_CHECKING:
    import httpx

ListingSource = Literal["cache", "endpoint", "bundled"]
DEFAULT_TTL = 600.0
DEFAULT_TIMEOUT = 3.0


class ModelListing(BaseModel):
    """The models of one provider and the tier they came from; ``error`` says why the endpoint was not
    used when ``source`` is ``"bundled"``."""

    provider: str
    source: ListingSource
    models: list[ModelInfo] = Field(default_factory=list)
    api_base: str | None = None
    error: str | None = None
    age_s: float = 0.0

    @field_validator("api_base")
    @classmethod
    def _mask_base(cls, value: str | None) -> str | None:
        """Kept to say where the list came from, so it never needs the URL's credentials."""
        return mask_url_credentials(value) if value else value

    @property
    def ids(self) -> list[str]:
        return [m.model for m in self.models]


@dataclass(frozen=True)
class _Query:
    provider: str
    api_base: str | None
    api_key: str | None
    cache_key: tuple[str, str, str]
    skip_reason: str | None


@dataclass(frozen=True)
class _Cached:
    stored_at: float
    models: list[ModelInfo]


class ModelLister:
    """Listing with its own cache; ``clock`` (monotonic seconds) is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str, str], _Cached] = {}

    def list_models(
        self,
        provider: str,
        *,
        api_base: str | None = None,
        api_key: str | SecretStr | None = None,
        ttl: float = DEFAULT_TTL,
        timeout: float = DEFAULT_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> ModelListing:
        query = _query(provider, api_base, api_key, env)
        settled = self._without_endpoint(query, ttl)
        if settled is not None or query.api_base is None:
            return settled or _bundled(query, query.skip_reason)
        import httpx  # imported on first listing: it is not needed to import llm_resolver

        try:
            with httpx.Client(timeout=timeout) as client:
                listed = _drive_sync(walk(query.provider, query.api_base, query.api_key), client)
        except Exception as exc:  # any failure of the endpoint sends us to the next tier
            return _bundled(query, _describe(exc, timeout, query.api_key))
        return self._store(query, listed, ttl)

    async def alist_models(
        self,
        provider: str,
        *,
        api_base: str | None = None,
        api_key: str | SecretStr | None = None,
        ttl: float = DEFAULT_TTL,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the HTTP client's timeout
        env: Mapping[str, str] | None = None,
    ) -> ModelListing:
        query = _query(provider, api_base, api_key, env)
        settled = self._without_endpoint(query, ttl)
        if settled is not None or query.api_base is None:
            return settled or _bundled(query, query.skip_reason)
        import httpx

        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                listed = await _drive_async(walk(query.provider, query.api_base, query.api_key), client)
        except Exception as exc:
            return _bundled(query, _describe(exc, timeout, query.api_key))
        return self._store(query, listed, ttl)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _without_endpoint(self, query: _Query, ttl: float) -> ModelListing | None:
        """The answer when the endpoint need not or cannot be asked: a fresh cached listing, or the
        bundled map when the query says why the endpoint is skipped."""
        hit = self._lookup(query, ttl)
        if hit is not None or query.skip_reason is None:
            return hit
        return _bundled(query, query.skip_reason)

    def _lookup(self, query: _Query, ttl: float) -> ModelListing | None:
        with self._lock:
            cached = self._cache.get(query.cache_key)
        if cached is None or ttl <= 0:
            return None
        age = self._clock() - cached.stored_at
        if age >= ttl:
            return None
        return ModelListing(
            provider=query.provider, source="cache", models=cached.models, api_base=query.api_base, age_s=age
        )

    def _store(self, query: _Query, listed: list[Listed], ttl: float) -> ModelListing:
        models = _merge(query.provider, listed)
        if ttl > 0:
            with self._lock:
                self._cache[query.cache_key] = _Cached(self._clock(), models)
        return ModelListing(
            provider=query.provider, source="endpoint", models=models, api_base=query.api_base
        )


_DEFAULT_LISTER = ModelLister()


def list_models(
    provider: str,
    *,
    api_base: str | None = None,
    api_key: str | SecretStr | None = None,
    ttl: float = DEFAULT_TTL,
    timeout: float = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
) -> ModelListing:
    """The models ``provider`` offers: cached (for ``ttl`` seconds), else from its listing endpoint
    (``api_base`` or the provider's public one; the key from ``api_key`` or its key variable), else from
    LiteLLM's bundled map. ``ttl=0`` skips the cache. A provider other than openai, anthropic and gemini
    is asked as an OpenAI-compatible server when ``api_base`` is given."""
    return _DEFAULT_LISTER.list_models(
        provider, api_base=api_base, api_key=api_key, ttl=ttl, timeout=timeout, env=env
    )


async def alist_models(
    provider: str,
    *,
    api_base: str | None = None,
    api_key: str | SecretStr | None = None,
    ttl: float = DEFAULT_TTL,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the HTTP client's timeout
    env: Mapping[str, str] | None = None,
) -> ModelListing:
    """``list_models`` for async code (the endpoint is asked without blocking the event loop)."""
    return await _DEFAULT_LISTER.alist_models(
        provider, api_base=api_base, api_key=api_key, ttl=ttl, timeout=timeout, env=env
    )


def _query(
    provider: str, api_base: str | None, api_key: str | SecretStr | None, env: Mapping[str, str] | None
) -> _Query:
    name = provider.strip().lower()
    if name not in DEFAULT_BASES and name not in known_providers():
        close = difflib.get_close_matches(name, known_providers(), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise SpecError(
            f"unknown provider {provider!r}; {hint}use a LiteLLM provider name such as openai, anthropic "
            "or gemini",
            field="provider",
        )
    key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    variables = PROVIDER_KEY_VARS.get(name, ())
    if key is None:
        source = os.environ if env is None else env
        key = next((source[v] for v in variables if source.get(v)), None)
    base = api_base or DEFAULT_BASES.get(name)
    skip = None
    if base is None:
        skip = f"{name} has no known listing endpoint; pass api_base to ask an OpenAI-compatible server"
    elif api_base is None and key is None:
        where = " or ".join(variables) or "its key variable"
        skip = f"no API key for {name}'s listing endpoint; set {where} or pass api_key"
    fingerprint = hashlib.sha256(key.encode()).hexdigest()[:16] if key else ""
    return _Query(name, base, key, (name, base or "", fingerprint), skip)


def _bundled(query: _Query, reason: str | None) -> ModelListing:
    return ModelListing(
        provider=query.provider,
        source="bundled",
        models=bundled_models(query.provider),
        api_base=query.api_base,
        error=reason,
    )


def _merge(provider: str, listed: list[Listed]) -> list[ModelInfo]:
    """Endpoint ids, described from the bundled map where it knows them and by the endpoint's limits."""
    entries = bundled_entries(provider)
    out: dict[str, ModelInfo] = {}
    for item in listed:
        model = f"{provider}/{item.id}"
        info = info_from_entry(model, entries.get(model, {}))
        stated = {"max_input_tokens": item.max_input_tokens, "max_output_tokens": item.max_output_tokens}
        out[model] = info.model_copy(update={k: v for k, v in stated.items() if v is not None})
    return [out[m] for m in sorted(out)]


def _drive_sync(pages: Walk, client: httpx.Client) -> list[Listed]:
    try:
        request = next(pages)
        while True:
            response = client.get(request.url, headers=request.headers, params=request.params)
            response.raise_for_status()
            request = pages.send(response.json())
    except StopIteration as done:
        result: list[Listed] = done.value
        return result


async def _drive_async(pages: Walk, client: httpx.AsyncClient) -> list[Listed]:
    try:
        request = next(pages)
        while True:
            response = await client.get(request.url, headers=request.headers, params=request.params)
            response.raise_for_status()
            request = pages.send(response.json())
    except StopIteration as done:
        result: list[Listed] = done.value
        return result


def _describe(exc: Exception, timeout: float, api_key: str | None) -> str:
    """Why the endpoint failed, in words, without the key."""
    import httpx

    if isinstance(exc, httpx.HTTPStatusError):
        text = f"the listing endpoint answered HTTP {exc.response.status_code}"
        if exc.response.status_code in (401, 403):
            text += "; check the API key"
    elif isinstance(exc, httpx.TimeoutException):
        text = f"the listing endpoint did not answer within {timeout}s"
    elif isinstance(exc, httpx.HTTPError):
        text = f"the listing endpoint could not be reached ({type(exc).__name__}: {exc})"
    elif isinstance(exc, ValueError | KeyError | TypeError | AttributeError):
        text = f"the listing endpoint sent a body we could not read ({type(exc).__name__})"
    else:
        text = f"the listing failed ({type(exc).__name__}: {exc})"
    return redact(text, [api_key] if api_key else [])
