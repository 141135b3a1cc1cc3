"""Metering: every call's usage and cost, fanned out to the meters a config names."""

from llm_resolver.metering.events import UsageEvent
from llm_resolver.metering.memory import InMemoryMeter, MeterTotals
from llm_resolver.metering.meters import CostMeter, Metering

__all__ = ["CostMeter", "InMemoryMeter", "MeterTotals", "Metering", "UsageEvent"]
