"""The most a call may cost: its prompt counted with the model's tokenizer, its completion bounded by
max_tokens, priced for the dearest model it may reach (the primary or a fallback). An embedding call's:
its texts' tokens at the input price of the dearest model of its chain (embeddings bill no output)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from llm_resolver.backend import catalog
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target
from llm_resolver.config.metering import DEFAULT_COMPLETION_TOKENS
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.errors import SpecError
from llm_resolver.tokens import prompt_tokens, text_tokens
from llm_resolver.types.request import ChatRequest
from llm_resolver.types.responses import Usage


def estimate_usd(
    targets: Sequence[Target], req: ChatRequest, config: LiteLLMConfig, completion_tokens: int | None
) -> float:
    """Raises ``SpecError`` when a model the call may reach has no price: a budget cannot hold then."""

    def usage(target: Target) -> Usage:
        return Usage(
            prompt_tokens=prompt_bound(target.model, req),
            completion_tokens=completion_bound(target.model, req, config, completion_tokens),
        )

    return _dearest(
        targets,
        usage,
        "no call to it can be checked against the budget; set input_cost_per_token and "
        "output_cost_per_token for it (on the config or its fallback entry)",
    )


def embedding_estimate_usd(targets: Sequence[Target], texts: Sequence[str]) -> float:
    """Raises ``SpecError`` when a model of the chain has no price, as ``estimate_usd`` does."""
    counted: dict[str, int] = {}

    def usage(target: Target) -> Usage:
        if target.model not in counted:
            counted[target.model] = sum(text_bound(target.model, text) for text in texts)
        return Usage(prompt_tokens=counted[target.model])

    return _dearest(
        targets,
        usage,
        "no embedding call to it can be checked against the budget; set input_cost_per_token for it "
        "(in model_info, or on its embedding_model or embedding_fallback_models entry)",
    )


def _dearest(targets: Sequence[Target], usage: Callable[[Target], Usage], unpriced: str) -> float:
    worst = 0.0
    for target in targets:
        cost = price(target, usage(target))
        if cost is None:
            raise SpecError(
                f"budget_usd is set but {target.model} has no price in LiteLLM's model map, so {unpriced}",
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


def text_bound(model: str, text: str) -> int:
    """A text's tokens; without a tokenizer for ``model``, its UTF-8 bytes (a token is at least one)."""
    try:
        return text_tokens(model, text)
    except Exception:
        return len(text.encode())


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
