"""What every LLM a resolver builds shares: the in-memory meter, the configured meters, the cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llm_resolver.cache.registry import build_cache
from llm_resolver.config.cache import parse_cache_setting
from llm_resolver.config.metering import BudgetConfig, meter_specs
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.metering.memory import InMemoryMeter
from llm_resolver.metering.meters import Metering
from llm_resolver.metering.registry import build_meters
from llm_resolver.plugins.default import plugins_or_default
from llm_resolver.plugins.manager import PluginManager

if TYPE_CHECKING:
    from llm_resolver.cache.response_cache import ResponseCache


@dataclass
class CallServices:
    meter: InMemoryMeter
    metering: Metering
    cache: ResponseCache | None
    # Decided by ``build``; services put together by hand (a test's) may go without plugins.
    plugins: PluginManager | None = None

    @classmethod
    def build(
        cls, config: LiteLLMConfig, plugins: PluginManager | None, meter: InMemoryMeter | None = None
    ) -> CallServices:
        """Meters and cache are built once here, so a bad name or option fails when the spec loads.

        This is where an LLM's plugins are decided (``None``: the process-wide manager): its meters,
        cache backend, tools and call hooks all come from the one manager kept here."""
        plugins = plugins_or_default(plugins)
        settings = parse_cache_setting(config.cache)
        meter = meter or InMemoryMeter()
        meters = build_meters(meter_specs(config.cost_meters), plugins)
        cache = build_cache(settings, plugins) if settings is not None else None
        budget = config.budget_usd
        on_error = budget.on_meter_error if isinstance(budget, BudgetConfig) else "refuse"
        return cls(meter, Metering([meter, *meters], on_error), cache, plugins)
