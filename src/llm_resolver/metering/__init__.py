"""Metering: every call's usage and cost, fanned out to the meters a config names; budgets per scope."""

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
