"""Metering: every call's usage and cost, fanned out to the meters a config names; budgets per scope."""

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
    from llm_resolver.metering.events import UsageEvent
    from llm_resolver.metering.memory import InMemoryMeter, MeterTotals
    from llm_resolver.metering.meters import BudgetMeter, CostMeter, Metering
    from llm_resolver.metering.reservation import Budget, Reservation, budget_exceeded

__all__ = [
    "Budget",
    "BudgetMeter",
    "CostMeter",
    "InMemoryMeter",
    "MeterTotals",
    "Metering",
    "Reservation",
    "UsageEvent",
    "budget_exceeded",
]

# Each name is imported from its module on first access: importing one of this package's modules
# (a registry, say) does not import all of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "Budget": "reservation",
        "BudgetMeter": "meters",
        "CostMeter": "meters",
        "InMemoryMeter": "memory",
        "MeterTotals": "memory",
        "Metering": "meters",
        "Reservation": "reservation",
        "UsageEvent": "events",
        "budget_exceeded": "reservation",
    },
)
