"""The plugin: registers the ``otel`` meter, which an LLM's ``cost_meters`` names to be traced."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_resolver import hookimpl

if TYPE_CHECKING:
    from llm_resolver_otel.meter import OTelMeter


def otel_meter(tracer_provider: Any = None, meter_provider: Any = None) -> OTelMeter:
    """The ``otel`` meter's factory. opentelemetry is imported here, when an LLM names the meter, not
    when the registry is built (every first resolve), nor when the plugin loads (every command)."""
    from llm_resolver_otel.meter import OTelMeter

    return OTelMeter(tracer_provider=tracer_provider, meter_provider=meter_provider)


@hookimpl
def register_cost_meters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    register("otel", otel_meter)
