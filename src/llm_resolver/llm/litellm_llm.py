"""``LiteLLM``: the LLM protocol, a small per-scope front over the call pipeline (``pipeline``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.metering.memory import InMemoryMeter
from llm_resolver.pipeline.core import LLMCore
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resilience.clock import SYSTEM_CLOCK, Clock
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.services import CallServices
from llm_resolver.tools.registry import select_tools
from llm_resolver.types.scope import Scope

if TYPE_CHECKING:
    from llm_resolver.backend.port import Backend
    from llm_resolver.streaming.async_stream import AsyncChatStream
    from llm_resolver.streaming.sync_stream import SyncChatStream
    from llm_resolver.types.request import RequestLike
    from llm_resolver.types.responses import ChatResponse, EmbeddingResponse, ModelInfo
    from llm_resolver.types.tool import Tool


class LiteLLM:
    """The LLM for one scope: a small handle over the ``LLMCore`` its resolver shares between scopes.

    Safe to share between threads and tasks. Built directly (``LiteLLM(config)``) it gets a core of
    its own; ``LiteLLMResolver`` gives every scope a handle over one core. ``backend`` is what
    reaches the providers (``LiteLLMBackend`` unless given, such as a ``ScriptedBackend`` in tests).

    Building one is what resolving costs: each method imports its part of the pipeline when called.
    """

    __slots__ = ("__weakref__", "_charged", "_core", "scope")

    def __init__(
        self,
        config: LiteLLMConfig,
        scope: Scope | None = None,
        *,
        plugins: PluginManager | None = None,
        clock: Clock = SYSTEM_CLOCK,
        cooldowns: Cooldowns | None = None,
        meter: InMemoryMeter | None = None,
        services: CallServices | None = None,
        backend: Backend | None = None,
    ) -> None:
        services = services or CallServices.build(config, plugins, meter)
        self._core = LLMCore(
            config,
            plugins=services.plugins,
            clock=clock,
            cooldowns=cooldowns,
            services=services,
            backend=backend,
        )
        self.scope = scope or Scope()
        self._charged: tuple[Scope, ...] = ()

    @classmethod
    def over(cls, core: LLMCore, scope: Scope, charged: tuple[Scope, ...] = ()) -> LiteLLM:
        """A handle for ``scope`` on an existing core: what a resolver hands out per scope."""
        llm = cls.__new__(cls)
        llm._core, llm.scope, llm._charged = core, scope, charged
        return llm

    def charged_at(self, scope: Scope) -> LiteLLM:
        """This LLM, with every call also held to ``budget_usd`` at ``scope`` (which must cover this
        LLM's scope): how a server charges a key held to ``acme`` whatever ``acme/...`` it names."""
        if not scope.covers(self.scope):
            raise ValueError(
                f"scope {scope} does not cover {self.scope}; charge a call only to a scope above it"
            )
        return LiteLLM.over(self._core, self.scope, (*self._charged, scope))

    @property
    def core(self) -> LLMCore:
        return self._core

    @property
    def config(self) -> LiteLLMConfig:
        return self._core.config

    @property
    def model(self) -> str:
        return self._core.config.model

    @property
    def meter(self) -> InMemoryMeter:
        return self._core.services.meter

    @property
    def plugins(self) -> PluginManager | None:
        return self._core.plugins

    @property
    def tools(self) -> list[Tool]:
        """The plugin tools ``config.tools`` names (fnmatch patterns), for ``run_tools``; read lazily."""
        return select_tools(self.config.tools, self._core.plugins)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as config (secrets as ``${VAR}``, or refused) and scope; the receiver builds a new core."""
        return _unpickle, (self.config, self.scope, self._charged)

    def __repr__(self) -> str:
        return f"LiteLLM(model={self.model!r}, scope={self.scope}, fallbacks={self._core.models[1:]})"

    def complete(self, request: RequestLike, **options: Any) -> ChatResponse:
        from llm_resolver.pipeline import run

        return run.complete(self._core, self.scope, self._charged, request, options)

    async def acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        from llm_resolver.pipeline import run

        return await run.acomplete(self._core, self.scope, self._charged, request, options)

    def stream(self, request: RequestLike, **options: Any) -> SyncChatStream:
        from llm_resolver.pipeline import streams

        return streams.stream(self._core, self.scope, self._charged, request, options)

    def astream(self, request: RequestLike, **options: Any) -> AsyncChatStream:
        from llm_resolver.pipeline import streams

        return streams.astream(self._core, self.scope, self._charged, request, options)

    def embed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        """Vectors in input order; options: ``model``, ``dimensions``, ``deadline``, ``provider_options``."""
        return self._core.embedder.embed(texts, options, self.scope, self._charged)

    async def aembed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        return await self._core.embedder.aembed(texts, options, self.scope, self._charged)

    def count_tokens(self, request: RequestLike, **options: Any) -> int:
        """The prompt tokens ``request`` would use with this LLM's model (tools included)."""
        from llm_resolver.pipeline.prepare import count_tokens

        return count_tokens(self.model, request, options)

    def info(self) -> ModelInfo:
        """What the config's ``model_info`` and LiteLLM's bundled map know about the primary model."""
        return self._core.catalog.info(self.model)


def _unpickle(config: LiteLLMConfig, scope: Scope, charged: tuple[Scope, ...]) -> LiteLLM:
    return LiteLLM.over(LiteLLM(config).core, scope, charged)
