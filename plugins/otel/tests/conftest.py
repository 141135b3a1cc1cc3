"""In-memory OpenTelemetry pipelines (never the global providers) and LLMs on the emulator that use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from llm_resolver import LiteLLMResolver
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator


@dataclass
class Telemetry:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    spans_out: InMemorySpanExporter
    metrics_in: InMemoryMetricReader

    def spans(self) -> list[ReadableSpan]:
        return sorted(self.spans_out.get_finished_spans(), key=lambda s: s.start_time or 0)

    def points(self, name: str) -> list[Any]:
        """Every data point of the metric ``name`` (one per distinct attribute set)."""
        data = self.metrics_in.get_metrics_data()
        return [
            point
            for resource in (data.resource_metrics if data else [])
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]


@pytest.fixture
def telemetry() -> Telemetry:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    return Telemetry(tracer_provider, MeterProvider(metric_readers=[reader]), exporter, reader)


@pytest.fixture
def make_resolver(
    provider_emulator: ProviderEmulator, telemetry: Telemetry
) -> Callable[..., LiteLLMResolver]:
    """The built-in resolver with the ``otel`` meter, found through its entry point like in production."""
    plugins = PluginManager(env={"LLM_RESOLVER_PLUGINS": "otel"})
    plugins.load_entrypoints()
    otel = {
        "name": "otel",
        "tracer_provider": telemetry.tracer_provider,
        "meter_provider": telemetry.meter_provider,
    }

    def make(**overrides: Any) -> LiteLLMResolver:
        props: dict[str, Any] = {
            "model": "openai/gpt-4o-mini",
            "api_base": provider_emulator.openai_base,
            "api_key": "test-key",
            "timeout": 5.0,
            "retry": {"initial_wait": 0, "jitter": 0},
            "cost_meters": [otel],
            **overrides,
        }
        return LiteLLMResolver(plugins=plugins, env={}, **props)

    return make
