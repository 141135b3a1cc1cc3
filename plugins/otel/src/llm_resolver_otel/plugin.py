"""The plugin: registers the ``otel`` meter, which an LLM's ``cost_meters`` names to be traced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llm_resolver import hookimpl


@hookimpl
def register_cost_meters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    # imported here, not at load: every command and resolve would pay for opentelemetry otherwise
    from llm_resolver_otel.meter import OTelMeter

    register("otel", OTelMeter)
