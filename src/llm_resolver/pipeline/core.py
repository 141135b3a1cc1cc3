"""``LLMCore``: what every scope's LLM of one configuration shares.

A resolver builds one core; each scope gets a small ``LiteLLM`` handle over it, so a process that
serves many tenants pays for one set of targets, catalog, stages, meters, cache and embedder, not
one per scope. The scope travels with each call (``CallContext.scope``), which is what keys meters
and budgets.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import threading
from typing import TYPE_CHECKING, Any

from llm_resolver.backend import loader
from llm_resolver.backend.targets import Target, targets_for
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.catalog.providers import check_targets
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.pipeline import import_call_path
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resilience.clock import Clock
from llm_resolver.resilience.cooldown import Cooldowns, cooldown_pool
from llm_resolver.services import CallServices
from llm_resolver.tools.registry import select_tools

if TYPE_CHECKING:
    from llm_resolver.backend.port import Backend
    from llm_resolver.pipeline.budget import Budgets
    from llm_resolver.pipeline.cache import CacheStage
    from llm_resolver.pipeline.embed import Embedder
    from llm_resolver.pipeline.observe import Observer
    from llm_resolver.resilience.executor import Resilience

# Built on the first call that needs one (see ``LLMCore.__getattr__``).
_STAGES = frozenset({"backend", "resilience", "budget", "observe", "cache", "embedder"})


class LLMCore:
    """Built once per configuration; safe to share between threads, tasks and scopes.

    Resolving checks the config (targets, keys, tools, meters, cache) and stops there: the call
    stages and the backend are built on the first call; their modules, most of the library, are
    imported ahead of it on LiteLLM's import thread."""

    backend: Backend
    resilience: Resilience
    budget: Budgets
    observe: Observer
    cache: CacheStage
    embedder: Embedder

    def __init__(
        self,
        config: LiteLLMConfig,
        *,
        plugins: PluginManager | None,
        clock: Clock,
        cooldowns: Cooldowns | None,
        services: CallServices,
        backend: Backend | None = None,
    ) -> None:
        self.config = config
        self.plugins = plugins
        self.clock = clock
        if backend is not None:
            self.backend = backend
        pool = config.retry.cooldown_pool
        self.cooldowns = cooldowns or (cooldown_pool(pool) if pool else Cooldowns())
        self.catalog = ModelCatalog.from_config(config)
        self.targets = self.catalog.priced(targets_for(config))
        self.models = [t.model for t in self.targets]
        # Faults of the config, caught now rather than at the first call: a model LiteLLM cannot
        # route, a target without a key, a tools pattern matching no plugin tool.
        check_targets(self.targets, "model", "fallback_models")
        select_tools(config.tools, plugins)
        self.services = services
        self._building = threading.Lock()
        loader.begin_import(first=import_call_path)  # seconds of import off the first call's path

    def __getattr__(self, name: str) -> Any:
        """A call stage, built with the others on first use; then each is a plain attribute."""
        if name not in _STAGES:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        with self._building:
            if name not in self.__dict__:
                self._build_stages()
        return self.__dict__[name]

    def _build_stages(self) -> None:
        from llm_resolver.backend.litellm_backend import LiteLLMBackend
        from llm_resolver.pipeline.budget import Budgets
        from llm_resolver.pipeline.cache import CacheStage
        from llm_resolver.pipeline.embed import Embedder
        from llm_resolver.pipeline.observe import Observer
        from llm_resolver.resilience.executor import Resilience

        # each is whole when set: a thread reading one already built needs no lock
        if "backend" not in self.__dict__:
            self.backend = LiteLLMBackend()
        self.resilience = Resilience(self.config.retry, self.clock, self.cooldowns, random.Random())  # noqa: S311
        self.budget = Budgets(self.config, self.targets, self.services.metering)
        self.observe = Observer(self.services.metering, self.budget, self.plugins)
        self.cache = CacheStage(self.services.cache, self.observe)
        self.embedder = Embedder(self.config, self.catalog, self.backend, self.resilience, self.observe)

    @functools.cached_property
    def chain(self) -> list[Target]:
        """The targets with their context windows, looked up once, on the first call (LiteLLM's map
        is read then; resolving does not wait for LiteLLM's import)."""
        return [
            dataclasses.replace(t, context_window=self.catalog.context_size(t.model)) for t in self.targets
        ]

    @functools.cached_property
    def _windows(self) -> dict[str, int | None]:
        return {t.model: t.context_window for t in self.chain}

    def context_size(self, model: str) -> int | None:
        windows = self._windows
        return windows[model] if model in windows else self.catalog.context_size(model)
