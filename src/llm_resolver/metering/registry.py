"""Cost meters named in ``cost_meters``, built from what plugins add through ``register_cost_meters``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from llm_resolver.config.factories import construct, registering, unknown_name
from llm_resolver.config.metering import MeterSpec
from llm_resolver.errors import SpecError
from llm_resolver.metering.meters import CostMeter

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager


def cost_meters(plugins: PluginManager) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = plugins.collect("register_cost_meters", registering("cost meter"))
    return found


def build_meters(specs: Sequence[MeterSpec], plugins: PluginManager) -> list[CostMeter]:
    if not specs:
        return []
    known = cost_meters(plugins)
    meters: list[CostMeter] = []
    for spec in specs:
        factory = known.get(spec.name)
        if factory is None:
            raise unknown_name(
                "cost_meters",
                "cost meter",
                spec.name,
                known,
                "Install the plugin that provides it (for example llm-resolver-cost-ledger for 'ledger'); "
                "the in-memory meter is always on and needs no entry.",
            )
        meter = construct("cost_meters", "cost meter", spec.name, factory, spec.options)
        if not isinstance(meter, CostMeter):
            raise SpecError(
                f"cost_meters: the factory of {spec.name!r} returned a {type(meter).__name__}, which has no "
                "record(event) method; fix or uninstall the plugin that registered it",
                field="cost_meters",
            )
        meters.append(meter)
    return meters
