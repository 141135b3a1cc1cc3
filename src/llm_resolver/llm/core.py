"""``LLMCore``: what every scope's LLM of one configuration shares.

A resolver builds one core; each scope gets a small ``LiteLLM`` handle over it, so a process that
serves many tenants pays for one set of targets, catalog, meters, cache and embedder, not one per
scope. The scope travels with each call (``CallContext.scope``), which is what keys meters and budgets.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from llm_resolver.backend import loader
from llm_resolver.backend.targets import Target, targets_for
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.catalog.providers import check_targets
from llm_resolver.config.metering import budget_parts
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.embeddings import Embedder
from llm_resolver.errors import LLMError
from llm_resolver.metering import Budget, UsageEvent
from llm_resolver.metering.events import EventOutcome
from llm_resolver.metering.guard import Accounting
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resilience.clock import Clock
from llm_resolver.resilience.cooldown import Cooldowns, cooldown_pool
from llm_resolver.resilience.executor import CallPlan
from llm_resolver.services import CallServices
from llm_resolver.tools.registry import select_tools
from llm_resolver.types.context import CallContext
from llm_resolver.types.responses import Usage
from llm_resolver.types.scope import Scope


class LLMCore:
    """Built once per configuration; safe to share between threads, tasks and scopes."""

    def __init__(
        self,
        config: LiteLLMConfig,
        *,
        plugins: PluginManager | None,
        clock: Clock,
        cooldowns: Cooldowns | None,
        services: CallServices,
    ) -> None:
        loader.begin_import()  # seconds of import off the first call's path
        self.config = config
        self.plugins = plugins
        self.clock = clock
        pool = config.retry.cooldown_pool
        self.cooldowns = cooldowns or (cooldown_pool(pool) if pool else Cooldowns())
        self.catalog = ModelCatalog.from_config(config)
        self.targets = self.catalog.priced(targets_for(config))
        # Faults of the config, caught now rather than at the first call: a model LiteLLM cannot
        # route, a target without a key, a tools pattern matching no plugin tool.
        check_targets(self.targets, "model", "fallback_models")
        select_tools(config.tools, plugins)
        self.secrets = config.secret_values()
        self.rng = random.Random()  # noqa: S311 - jitter, not security
        self.services = services
        self.accounting = Accounting(config, self.targets, services, self.notify)
        self._budget_usd, _, self._scoped_budgets = budget_parts(config.budget_usd)
        self.embedder = Embedder(
            config,
            self.catalog,
            clock=clock,
            cooldowns=self.cooldowns,
            secrets=self.secrets,
            rng=self.rng,
            record=self.record,
            failed=self.failed,
            attempt_failed=self.attempt_failed,
        )

    def budgets(self, scope: Scope, charged: Sequence[Scope]) -> tuple[Budget, ...]:
        """Every budget a call at ``scope`` must fit: ``budget_usd`` at the scope itself and at each
        scope it is charged to, and each of ``budget_usd.scopes`` that covers it."""
        found: list[Budget] = []
        if self._budget_usd is not None:
            found += [Budget(s, self._budget_usd) for s in (scope, *charged)]
        found += [Budget(s, usd) for s, usd in self._scoped_budgets if s.covers(scope)]
        return tuple(dict.fromkeys(found))

    def record(
        self,
        ctx: CallContext,
        target: Target,
        usage: Usage,
        cost: float | None,
        latency: float,
        outcome: EventOutcome,
        error_type: str | None = None,
    ) -> None:
        self.accounting.record(
            UsageEvent(
                scope=ctx.scope,
                model=target.model,
                operation=ctx.operation,
                request_id=ctx.request_id,
                usage=usage,
                cost_usd=cost,
                latency_s=latency,
                outcome=outcome,
                error_type=error_type,
            )
        )

    def attempt_failed(self, ctx: CallContext, error: LLMError, target: Target, latency_s: float) -> None:
        """One failed attempt, chat or embedding: metered (a zero-cost error event) and shown to on_error."""
        ctx.attempt_model = target.model
        ctx.attempt_number += 1
        self.record(ctx, target, Usage(), 0.0, latency_s, "error", type(error).__name__)
        self.notify("on_error", error=error, context=ctx)

    def failed(self, error: LLMError, ctx: CallContext, plan: CallPlan) -> LLMError:
        """Tell ``on_error`` about the final error unless it already saw it as a failed attempt."""
        if not any(error is seen for seen in plan.errors):
            self.notify("on_error", error=error, context=ctx)
        return error

    def notify(self, hook: str, **kwargs: Any) -> None:
        if self.plugins is not None:
            self.plugins.notify(hook, **kwargs)
