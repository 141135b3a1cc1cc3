"""OpenTelemetry for llm-resolver: spans and GenAI metrics from every usage event."""

from llm_resolver_otel.meter import OTelMeter

__all__ = ["OTelMeter"]
