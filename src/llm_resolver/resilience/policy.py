"""The decision table: what each error means for retrying, falling back and waiting.

| error                       | retry same model               | next model                           |
|-----------------------------|--------------------------------|--------------------------------------|
| rate limit (429)            | yes, Retry-After               | after retries                        |
| 5xx (500, 503, 529 ...)     | yes, Retry-After, else backoff | after retries                        |
| timeout, connection         | yes, backoff                   | after retries                        |
| malformed reply             | yes, backoff                   | after retries                        |
| authentication, bad request | no                             | yes, at once                         |
| context window              | no                             | first fallback with a larger context |
| content policy (and a reply | no                             | only if fallback_on_content_policy   |
|   withheld by the filter)   |                                |                                      |
| capability, budget, spec    | no                             | no: raised at once                   |
"""

from __future__ import annotations

import random
from enum import Enum

from llm_resolver.config.models import RetryConfig
from llm_resolver.errors import (
    LLMAuthenticationError,
    LLMBadRequestError,
    LLMContentPolicyError,
    LLMContextWindowError,
    LLMError,
    LLMRateLimitError,
    LLMServiceError,
)


class Next(Enum):
    RETRY = "retry"
    FALLBACK = "fallback"
    LARGER_CONTEXT = "larger-context"
    RAISE = "raise"


def after_failure(error: LLMError, policy: RetryConfig) -> Next:
    if isinstance(error, LLMContextWindowError):
        return Next.LARGER_CONTEXT
    if isinstance(error, LLMContentPolicyError):
        return Next.FALLBACK if policy.fallback_on_content_policy else Next.RAISE
    if isinstance(error, LLMAuthenticationError | LLMBadRequestError):
        return Next.FALLBACK
    if error.retryable:
        return Next.RETRY
    return Next.RAISE


def backoff(retry_number: int, error: LLMError, policy: RetryConfig, rng: random.Random) -> float | None:
    """Seconds to wait before retry ``retry_number`` (1-based); None means do not wait that long, move on.

    A provider's Retry-After (on a 429, or a 5xx such as 503) wins over our backoff, up to the cap."""
    if isinstance(error, LLMRateLimitError | LLMServiceError) and error.retry_after is not None:
        wait = float(error.retry_after)
        return wait if wait <= policy.retry_after_cap else None
    base = min(policy.max_wait, policy.initial_wait * 2.0 ** (retry_number - 1))
    spread = base * policy.jitter
    return max(0.0, base - spread + rng.random() * 2 * spread)
