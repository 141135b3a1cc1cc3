"""One-line read-outs of a response (model, tokens, cost, attempts), shared by the CLI and the demo."""

from __future__ import annotations

from collections.abc import Sequence
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
