"""Cost of a call in USD, or None when the model cannot be priced (never a silent 0)."""

from __future__ import annotations

from llm_resolver.backend.loader import litellm
from llm_resolver.backend.targets import Target
from llm_resolver.types.responses import Usage


def price(target: Target, usage: Usage) -> float | None:
    if target.input_cost_per_token is not None and target.output_cost_per_token is not None:
        return (
            usage.prompt_tokens * target.input_cost_per_token
            + usage.completion_tokens * target.output_cost_per_token
        )
    try:
        prompt_cost, completion_cost = litellm().cost_per_token(
            model=target.model,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cache_read_input_tokens=usage.cached_tokens,
        )
    except Exception:  # LiteLLM raises several classes for "not in the price map"
        return None
    return float(prompt_cost) + float(completion_cost)
