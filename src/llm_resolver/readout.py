"""One-line read-outs of a response (model, tokens, cost, attempts), shared by the CLI and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from llm_resolver.types.responses import Attempt, ChatResponse, Usage


def format_cost(cost_usd: float | None) -> str:
    """Dollars to three significant digits, never in exponent form; None is "cost unknown", not $0."""
    if cost_usd is None:
        return "cost unknown"
    rounded = Decimal(f"{cost_usd:.3g}")
    return f"${rounded:f}"


def format_usage(usage: Usage) -> str:
    return f"{usage.total_tokens} tokens ({usage.prompt_tokens} in, {usage.completion_tokens} out)"


def format_attempt(attempt: Attempt) -> str:
    if attempt.outcome != "error":
        return f"{attempt.model} {attempt.outcome}"
    status = f" {attempt.status_code}" if attempt.status_code is not None else ""
    return f"{attempt.model} failed ({attempt.error_type}{status})"


def format_attempts(attempts: Sequence[Attempt]) -> str:
    """``1 attempt``; when there were retries or fallbacks, each try in order."""
    count = f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''}"
    if len(attempts) <= 1:
        return count
    return f"{count}: " + " -> ".join(format_attempt(a) for a in attempts)


def summary_line(response: ChatResponse) -> str:
    return ", ".join(
        (
            f"model {response.model}",
            format_usage(response.usage),
            format_cost(response.cost_usd),
            format_attempts(response.attempts),
        )
    )


@dataclass
class ModelSpend:
    """Answers, tokens and spend of one model, summed over responses; ``unpriced`` counts answers
    without a price, so a total over them is a lower bound, never a silent $0."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unpriced: int = 0

    def add(self, response: ChatResponse) -> None:
        self.calls += 1
        self.prompt_tokens += response.usage.prompt_tokens
        self.completion_tokens += response.usage.completion_tokens
        if response.cost_usd is None:
            self.unpriced += 1
        else:
            self.cost_usd += response.cost_usd

    def include(self, other: ModelSpend) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
