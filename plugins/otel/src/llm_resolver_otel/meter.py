"""``OTelMeter``: one span and the GenAI client metrics per usage event (attempt, cache hit).

Names follow OpenTelemetry's GenAI semantic conventions. A meter sees each event when the attempt has
ended, so the span is written with its real start and end times; it is created in the caller's context,
so it nests under whatever span the agent has open. Prompts and replies are never recorded: events do
not carry them. Providers default to the global ones the application configured (a library must not
set them); tests and hosts with their own pipelines pass ``tracer_provider`` / ``meter_provider``.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from llm_resolver.metering import UsageEvent
from llm_resolver_otel import names

_INSTRUMENTATION = "llm_resolver_otel"
# The conventions' advised bucket boundaries for the two GenAI client histograms.
_TOKEN_BUCKETS = [4**n for n in range(14)]
_DURATION_BUCKETS = [0.01 * 2**n for n in range(14)]


class OTelMeter:
    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        self._tracer = trace.get_tracer(_INSTRUMENTATION, tracer_provider=tracer_provider)
        meter = metrics.get_meter(_INSTRUMENTATION, meter_provider=meter_provider)
        self._tokens = meter.create_histogram(
            names.TOKEN_USAGE,
            unit="{token}",
            description="Input and output tokens per attempt",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self._duration = meter.create_histogram(
            names.OPERATION_DURATION,
            unit="s",
            description="Duration of each attempt (for a stream, until its first chunk)",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self._cost = meter.create_counter(names.COST, unit="USD", description="Cost of priced attempts")

    def record(self, event: UsageEvent) -> None:
        common = names.common_attributes(event)
        self._span(event, common)
        failed = {names.ERROR_TYPE: event.error_type or "LLMError"} if event.outcome == "error" else {}
        self._duration.record(event.latency_s, {**common, **failed})
        if event.usage.prompt_tokens:
            self._tokens.record(event.usage.prompt_tokens, {**common, names.TOKEN_TYPE: "input"})
        if event.usage.completion_tokens:
            self._tokens.record(event.usage.completion_tokens, {**common, names.TOKEN_TYPE: "output"})
        if event.cost_usd:
            self._cost.add(event.cost_usd, common)

    def _span(self, event: UsageEvent, common: dict[str, str]) -> None:
        end_ns = int(event.timestamp * 1e9)
        span = self._tracer.start_span(
            f"{common[names.OPERATION_NAME]} {common[names.REQUEST_MODEL]}",
            kind=SpanKind.CLIENT,
            attributes={**common, **names.span_attributes(event)},
            start_time=end_ns - int(event.latency_s * 1e9),
        )
        if event.outcome == "error":
            span.set_attribute(names.ERROR_TYPE, event.error_type or "LLMError")
            span.set_status(Status(StatusCode.ERROR, event.error_type))
        span.end(end_time=end_ns)
