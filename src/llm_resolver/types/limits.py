"""The ranges every sampling and timing value must fall in, wherever it enters (spec, environment,
YAML file, per-call option, server body): one set of rules, so nothing the config refuses gets in
per call. Non-finite numbers are refused everywhere: a NaN temperature is not a temperature and a
NaN deadline would silently disable it."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field

from llm_resolver.errors import LLMBadRequestError

# The largest completion any provider takes; larger values are a mistake or an attack on the budget.
MAX_TOKENS_LIMIT = 2**31 - 1

Temperature = Annotated[float, Field(ge=0, le=2, allow_inf_nan=False)]
TopP = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Penalty = Annotated[float, Field(ge=-2, le=2, allow_inf_nan=False)]
MaxTokens = Annotated[int, Field(gt=0, le=MAX_TOKENS_LIMIT)]
Seed = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def check_seconds(value: Any, name: str) -> float | None:
    """A per-call ``deadline`` (or similar): None, or a finite positive number of seconds."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise LLMBadRequestError(
            f"{name} must be a finite positive number of seconds, got {value!r}; pass e.g. {name}=30"
        )
    return float(value)
