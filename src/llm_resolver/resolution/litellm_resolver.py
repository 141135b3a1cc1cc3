"""LiteLLMResolver: the built-in resolver, registered under the short name ``litellm``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.config.sources import build_config
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resolution.resolver import DependencyResolver
from llm_resolver.services import CallServices
from llm_resolver.types.scope import Scope

if TYPE_CHECKING:
    from llm_resolver.backend.port import Backend
    from llm_resolver.pipeline.core import LLMCore


class LiteLLMResolver(DependencyResolver[LiteLLM]):
    """Takes ``LiteLLMConfig`` fields, ``${VAR}`` references included; the config is validated here, so
    a bad spec fails at load time.

    Pickles as its config (secrets by reference): the receiver rebuilds it with ``from_config``, with
    fresh meters and cache, its default plugins, and none of the sender's memoised LLMs."""

    accepts_plugins = True
    accepts_env = True
    interpolates = True

    def __init__(
        self,
        *,
        plugins: PluginManager | None = None,
        env: Mapping[str, str] | None = None,
        backend: Backend | None = None,
        **properties: Any,
    ) -> None:
        """``backend`` reaches the providers: ``LiteLLMBackend`` unless given (a ``ScriptedBackend``
        in tests); it is not pickled, the receiver uses its default."""
        self.config: LiteLLMConfig = build_config(properties, env)
        self._backend = backend
        self.services = CallServices.build(self.config, plugins)  # meters and cache: one set per resolver
        self.meter = self.services.meter  # shared by the LLMs of every scope, read per scope
        self._core: LLMCore | None = None

    @classmethod
    def from_config(cls, config: LiteLLMConfig, plugins: PluginManager | None = None) -> LiteLLMResolver:
        """Skip the config sources: use this validated config as it is."""
        resolver = cls.__new__(cls)
        resolver.config = config
        resolver._backend = None
        resolver.services = CallServices.build(config, plugins)
        resolver.meter = resolver.services.meter
        resolver._core = None
        return resolver

    def resolve(self, scope: Scope) -> LiteLLM:
        """A handle for ``scope`` over the one core this resolver builds on first use."""
        core = self._core
        if core is None:
            with self._lock:
                if self._core is None:
                    self._core = LiteLLM(
                        self.config,
                        plugins=self.services.plugins,
                        services=self.services,
                        backend=self._backend,
                    ).core
                core = self._core
        return LiteLLM.over(core, scope)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self).from_config, (self.config,)

    def __repr__(self) -> str:
        return f"LiteLLMResolver(model={self.config.model!r})"
