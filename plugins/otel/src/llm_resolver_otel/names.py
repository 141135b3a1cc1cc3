"""Attribute and instrument names: the GenAI semantic conventions, plus ``llm_resolver.*`` for what
they have no name for (scope, cost, request id, cache hits)."""

from __future__ import annotations

from llm_resolver.metering import UsageEvent

OPERATION_NAME = "gen_ai.operation.name"
PROVIDER_NAME = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
RESPONSE_MODEL = "gen_ai.response.model"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
CACHE_READ_TOKENS = "gen_ai.usage.cache_read.input_tokens"
TOKEN_TYPE = "gen_ai.token.type"  # noqa: S105 - an attribute name, not a secret
ERROR_TYPE = "error.type"

TOKEN_USAGE = "gen_ai.client.token.usage"  # noqa: S105 - a metric name
OPERATION_DURATION = "gen_ai.client.operation.duration"
COST = "llm_resolver.cost"

SCOPE = "llm_resolver.scope"
OUTCOME = "llm_resolver.outcome"
REQUEST_ID = "llm_resolver.request_id"
COST_USD = "llm_resolver.cost_usd"
CALL = "llm_resolver.operation"

# LiteLLM provider prefix -> the conventions' provider name, where they differ.
_PROVIDERS = {
    "gemini": "gcp.gemini",
    "vertex_ai": "gcp.vertex_ai",
    "bedrock": "aws.bedrock",
    "azure": "azure.ai.openai",
}


def common_attributes(event: UsageEvent) -> dict[str, str]:
    """What spans and metrics share: low-cardinality names only (no request id on metrics)."""
    provider, _, name = event.model.rpartition("/")
    return {
        OPERATION_NAME: "embeddings" if event.operation in ("embed", "aembed") else "chat",
        PROVIDER_NAME: _PROVIDERS.get(provider, provider or "unknown"),
        REQUEST_MODEL: name,
        SCOPE: str(event.scope),
        OUTCOME: event.outcome,
    }


def span_attributes(event: UsageEvent) -> dict[str, str | int | float]:
    attributes: dict[str, str | int | float] = {
        REQUEST_ID: event.request_id,
        CALL: event.operation,
        INPUT_TOKENS: event.usage.prompt_tokens,
        OUTPUT_TOKENS: event.usage.completion_tokens,
    }
    if event.outcome != "error":
        attributes[RESPONSE_MODEL] = event.model.rpartition("/")[2]
    if event.usage.cached_tokens:
        attributes[CACHE_READ_TOKENS] = event.usage.cached_tokens
    if event.cost_usd is not None:
        attributes[COST_USD] = event.cost_usd
    return attributes
