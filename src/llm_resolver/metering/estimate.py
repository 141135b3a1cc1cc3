"""The most a call may cost: its prompt counted with the model's tokenizer, its completion bounded by
max_tokens, priced for the dearest model it may reach (the primary or a fallback)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from llm_resolver.backend import catalog
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target
from llm_resolver.config.metering import DEFAULT_COMPLETION_TOKENS
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.errors import SpecError
from llm_resolver.tokens import prompt_tokens
from llm_resolver.types.request import ChatRequest
from llm_resolver.types.responses import Usage


def estimate_usd(
    targets: Sequence[Target], req: ChatRequest, config: LiteLLMConfig, completion_tokens: int | None
) -> float:
    """Raises ``SpecError`` when a model the call may reach has no price: a budget cannot hold then."""
    worst = 0.0
    for target in targets:
        usage = Usage(
            prompt_tokens=prompt_bound(target.model, req),
            completion_tokens=completion_bound(target.model, req, config, completion_tokens),
        )
        cost = price(target, usage)
        if cost is None:
            raise SpecError(
                f"budget_usd is set but {target.model} has no price in LiteLLM's model map, so no call "
                "to it can be checked against the budget; set input_cost_per_token and "
                "output_cost_per_token for it (on the config or its fallback entry)",
                field="budget_usd",
            )
        worst = max(worst, cost)
    return worst


def prompt_bound(model: str, req: ChatRequest) -> int:
    """The prompt's tokens; without a tokenizer for ``model``, about three characters a token (errs high)."""
    try:
        return prompt_tokens(model, req)
    except Exception:
        text = json.dumps(req.messages_openai(), default=str) + json.dumps(req.tools_openai() or [])
        return len(text) // 3 + 1


def completion_bound(model: str, req: ChatRequest, config: LiteLLMConfig, fallback: int | None) -> int:
    """max_tokens of the request, else of the config, else the budget's completion_tokens, capped at
    the model's max_output_tokens (it cannot write more), which is also the bound when none is set;
    DEFAULT_COMPLETION_TOKENS when nothing is known. Never below one token: max_tokens is validated
    positive wherever it enters, so no call reserves only its prompt."""
    entry = catalog.model_entry(model) or {}
    most = entry.get("max_output_tokens") or entry.get("max_tokens")
    for bound in (req.max_tokens, config.max_tokens, fallback):
        if bound:
            return max(1, min(bound, int(most))) if most else max(1, bound)
    return int(most or DEFAULT_COMPLETION_TOKENS)
