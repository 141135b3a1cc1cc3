"""Spans and GenAI metrics for real calls on the emulator: success, retries and fallbacks, streams,
cache hits and embeddings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from llm_resolver import LiteLLMResolver, Scope
from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import Telemetry

MakeResolver = Callable[..., LiteLLMResolver]
SCOPE = Scope(org="acme", guild="support", agent="triage")


def test_a_call_is_a_client_span_under_the_callers_span(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, telemetry: Telemetry
) -> None:
    provider_emulator.script(Reply(text="fine", usage=(12, 5)))
    llm = make_resolver().get_or_resolve(SCOPE)
    tracer = telemetry.tracer_provider.get_tracer("agent")

    with tracer.start_as_current_span("triage ticket") as parent:
        response = llm.complete("the secret plan is in the drawer")

    agent_span, span = sorted(telemetry.spans(), key=lambda s: s.name != "triage ticket")
    assert span.name == "chat gpt-4o-mini"
    assert span.kind == SpanKind.CLIENT
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id
    assert span.status.status_code == StatusCode.UNSET
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 5,
        "llm_resolver.scope": "acme/support/triage",
        "llm_resolver.outcome": "ok",
        "llm_resolver.operation": "complete",
        "llm_resolver.request_id": span.attributes["llm_resolver.request_id"],  # type: ignore[index]
        "llm_resolver.cost_usd": response.cost_usd,
    }
    assert span.start_time is not None
    assert span.end_time is not None
    assert span.end_time - span.start_time == pytest.approx(response.attempts[0].latency_s * 1e9, abs=1e6)
    assert agent_span.start_time <= span.start_time  # type: ignore[operator]
    assert all("secret plan" not in str(v) for s in telemetry.spans() for v in (s.attributes or {}).values())


def test_metrics_count_tokens_by_type_duration_and_cost(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, telemetry: Telemetry
) -> None:
    provider_emulator.script(Reply(usage=(12, 5)), Reply(usage=(30, 7)))
    llm = make_resolver().get_or_resolve(SCOPE)

    costs = [llm.complete("a").cost_usd, llm.complete("b").cost_usd]

    tokens = {p.attributes["gen_ai.token.type"]: p for p in telemetry.points("gen_ai.client.token.usage")}
    assert (tokens["input"].sum, tokens["input"].count) == (42, 2)
    assert (tokens["output"].sum, tokens["output"].count) == (12, 2)
    assert "llm_resolver.request_id" not in tokens["input"].attributes  # metrics stay low-cardinality
    (duration,) = telemetry.points("gen_ai.client.operation.duration")
    assert duration.count == 2
    (cost,) = telemetry.points("llm_resolver.cost")
    assert cost.value == pytest.approx(sum(c for c in costs if c))


async def test_each_attempt_of_a_retried_call_that_falls_back_is_a_span(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, telemetry: Telemetry
) -> None:
    provider_emulator.script(Fault.server_error(503), Fault.server_error(503))
    llm = make_resolver(
        max_retries=1,
        fallback_models=[
            {
                "model": "anthropic/claude-haiku-4-5",
                "api_base": provider_emulator.anthropic_base,
                "api_key": "k",
            }
        ],
    ).get_or_resolve(SCOPE)

    response = await llm.acomplete("hello")

    spans = telemetry.spans()
    assert [s.name for s in spans] == ["chat gpt-4o-mini", "chat gpt-4o-mini", "chat claude-haiku-4-5"]
    assert len(spans) == len(response.attempts) == provider_emulator.request_count()
    failed, ok = spans[:2], spans[2]
    assert all(s.status.status_code == StatusCode.ERROR for s in failed)
    assert [(s.attributes or {})["error.type"] for s in failed] == ["LLMServiceError", "LLMServiceError"]
    assert all("gen_ai.response.model" not in (s.attributes or {}) for s in failed)
    assert (ok.attributes or {})["gen_ai.provider.name"] == "anthropic"
    assert len({(s.attributes or {})["llm_resolver.request_id"] for s in spans}) == 1
    errors = [p for p in telemetry.points("gen_ai.client.operation.duration") if "error.type" in p.attributes]
    assert [(p.attributes["error.type"], p.count) for p in errors] == [("LLMServiceError", 2)]


async def test_a_stream_and_a_cache_hit(
    provider_emulator: ProviderEmulator,
    make_resolver: MakeResolver,
    telemetry: Telemetry,
    litellm_async_clients: None,
) -> None:
    provider_emulator.script(Reply(text="streamed reply", usage=(9, 3), chunks=3))
    llm = make_resolver(cache="memory").get_or_resolve(SCOPE)

    async with llm.astream("tell me") as stream:
        text = "".join([chunk.text async for chunk in stream])
    again = await llm.acomplete("tell me")

    assert again.text == text == "streamed reply"
    streamed, hit = telemetry.spans()
    assert (streamed.attributes or {})["llm_resolver.operation"] == "astream"
    assert (streamed.attributes or {})["gen_ai.usage.output_tokens"] == 3
    assert (hit.attributes or {})["llm_resolver.outcome"] == "cached"
    assert (hit.attributes or {})["llm_resolver.cost_usd"] == 0.0
    assert provider_emulator.request_count() == 1


def test_embeddings_are_embeddings_spans(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, telemetry: Telemetry
) -> None:
    llm = make_resolver(embedding_model="openai/text-embedding-3-small").get_or_resolve(SCOPE)

    llm.embed(["one", "two"])

    (span,) = telemetry.spans()
    assert span.name == "embeddings text-embedding-3-small"
    assert (span.attributes or {})["gen_ai.operation.name"] == "embeddings"
    assert (span.attributes or {})["gen_ai.usage.input_tokens"] > 0


def test_gemini_is_named_as_the_conventions_name_it(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, telemetry: Telemetry
) -> None:
    llm = make_resolver(
        model="gemini/gemini-2.5-flash", api_base=provider_emulator.gemini_base
    ).get_or_resolve()

    llm.complete("hi")

    (span,) = telemetry.spans()
    assert (span.attributes or {})["gen_ai.provider.name"] == "gcp.gemini"
    assert (span.attributes or {})["llm_resolver.scope"] == "*/*/*"
