"""OpenTelemetry for llm-resolver: spans and GenAI metrics from every usage event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_resolver.plugins import lazy_exports

if TYPE_CHECKING:
    from llm_resolver_otel.meter import OTelMeter

__all__ = ["OTelMeter"]
# opentelemetry's import is slow: it is paid when the meter is first used, not at plugin load.
__getattr__ = lazy_exports(__name__, {"OTelMeter": "meter"})
