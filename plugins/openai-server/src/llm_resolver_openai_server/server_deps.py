"""``ServerDeps``: what every router of the server takes — the spec's ``Dependencies``, the access
settings, the scopes each caller has used, and the drain that ends open streams at shutdown.

One object, built once per application, so sibling routers (``router``, and any other router factory
of this package) share one scope book and one drain instead of each keeping its own."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from llm_resolver import LLM, Dependencies, Scope, SpecError
from llm_resolver_openai_server.access import Forbidden, ScopeBook, scope_for
from llm_resolver_openai_server.errors import HttpError, Refused, invalid_request
from llm_resolver_openai_server.settings import ServerSettings
from llm_resolver_openai_server.sse import Drain


@dataclass(frozen=True)
class Caller:
    """Who calls, as an auth dependency reports it. ``identity`` is what the per-caller scope limit
    counts (None: every anonymous caller together); ``scope`` is the scope the caller is held to (None:
    it may name any scope in the scope header)."""

    identity: str | None = None
    scope: Scope | None = None

    @classmethod
    def holding(cls, key: str, scope: Scope | None) -> Caller:
        """A caller known by its API key: the identity is a digest, so no Caller shows a key."""
        return cls(hashlib.sha256(key.encode()).hexdigest()[:16], scope)


@dataclass
class ServerDeps:
    """``ServerDeps(dependencies, settings)``; every spec is validated now, so a bad one fails at
    start-up rather than on the first request for it."""

    dependencies: Dependencies
    settings: ServerSettings = field(default_factory=ServerSettings)
    scopes: ScopeBook = field(init=False)
    drain: Drain = field(init=False, default_factory=Drain)

    def __post_init__(self) -> None:
        for name in self.dependencies.specs:
            self.dependencies.resolver(name)
        self.scopes = ScopeBook(self.settings.max_scopes_per_key)

    @classmethod
    def of(cls, deps: Dependencies | ServerDeps, settings: ServerSettings | None = None) -> ServerDeps:
        if isinstance(deps, ServerDeps):
            if settings is not None and settings != deps.settings:
                raise SpecError("pass the settings to ServerDeps, or a Dependencies with settings; not both")
            return deps
        return cls(deps, settings or ServerSettings())

    @property
    def models(self) -> list[str]:
        """The names clients ask for: one per dependency in the spec."""
        return sorted(self.dependencies.specs)

    def known(self, model: str) -> None:
        """Refuse a model the spec does not declare, with the 404 OpenAI sends, listing the known."""
        if model not in self.dependencies.specs:
            message = f"model {model!r} does not exist; this server has: {', '.join(self.models)}"
            raise Refused(invalid_request(message, "model", status=404, code="model_not_found"))

    async def llm(self, caller: Caller, model: str, scope_header: str) -> LLM:
        """The LLM ``caller`` gets for ``model``, in the scope the header names within the caller's own
        (metered and budgeted there; a held caller is also charged to the scope it is held to)."""
        self.known(model)
        header = self.settings.scope_header
        try:
            scope = scope_for(scope_header, caller.scope)
        except Forbidden as exc:
            raise Refused(HttpError(403, "permission_error", "scope_not_allowed", str(exc), header)) from None
        except ValueError as exc:
            raise Refused(invalid_request(f"{header}: {exc}", header)) from None
        if not self.scopes.admit(caller.identity, scope):
            who = "this key" if caller.identity else "a caller without a key"
            message = (
                f"{who} has used its {self.scopes.limit} scopes; reuse one of them, or raise the "
                "server's max_scopes_per_key (llm-resolver serve --max-scopes-per-key)"
            )
            # OpenAI's SDKs retry a 429 unless x-should-retry tells them waiting cannot help
            no_retry = {"x-should-retry": "false"}
            raise Refused(HttpError(429, "rate_limit_error", "too_many_scopes", message, header, no_retry))
        llm = await self.dependencies.aget(model, scope)
        if not isinstance(llm, LLM):
            message = (
                f"dependency {model!r} resolves to a {type(llm).__name__}, not an LLM; fix the server's spec"
            )
            raise Refused(HttpError(500, "server_error", "server_misconfigured", message))
        charge = getattr(llm, "charged_at", None)
        if caller.scope is not None and caller.scope != scope and callable(charge):
            # A held caller's budget is its scope's, whatever sub-scope it names: no fresh budget per name.
            charged: LLM = charge(caller.scope)
            return charged
        return llm
