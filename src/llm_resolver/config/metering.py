"""The metering settings of ``LiteLLMConfig``: which meters (with their options) and the budget.

Imports nothing else from config: ``config.models`` uses these types and validators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from llm_resolver.types.scope import Scope

# Completion tokens reserved when neither the request, the config, the budget nor the model map bounds them.
DEFAULT_COMPLETION_TOKENS = 4096


class BudgetConfig(BaseModel):
    """``budget_usd`` as a mapping: the limit, and how many completion tokens a call without
    ``max_tokens`` reserves (default: the model's ``max_output_tokens``, else 4096)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usd: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="spend allowed per scope an LLM is resolved for, in USD"
    )
    scopes: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="org[/guild[/agent]] -> USD for that scope and everything beneath it, e.g. {acme: 50}",
    )
    completion_tokens: int | None = Field(
        None, gt=0, description="completion tokens reserved for a call that sets no max_tokens"
    )
    on_meter_error: Literal["refuse", "allow"] = Field(
        "refuse",
        description="a budget meter that fails (e.g. a locked ledger) refuses the call, or lets it through",
    )

    @field_validator("scopes")
    @classmethod
    def _parse_scopes(cls, value: dict[str, float]) -> dict[str, float]:
        for key in value:
            Scope.parse(key)  # raises ValueError naming the key
        return value

    @model_validator(mode="after")
    def _some_limit(self) -> BudgetConfig:
        if self.usd is None and not self.scopes:
            raise ValueError("set usd (per scope) or scopes (per named scope), or drop budget_usd")
        return self


def budget_parts(
    budget: float | BudgetConfig | None,
) -> tuple[float | None, int | None, tuple[tuple[Scope, float], ...]]:
    """(limit per resolved scope, completion tokens to reserve when unbounded, limits of named scopes)
    of either form of ``budget_usd``."""
    if isinstance(budget, BudgetConfig):
        named = tuple((Scope.parse(k), v) for k, v in budget.scopes.items())
        return budget.usd, budget.completion_tokens, named
    return budget, None, ()


def check_meter_entry(value: Any) -> Any:
    """A ``cost_meters`` entry is a registered name, or a mapping with ``name`` and that meter's options."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("a meter name must not be empty")
        return value.strip()
    if isinstance(value, Mapping):
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(
                "a meter given as a mapping needs 'name' (the name its plugin registered), "
                "next to the meter's own options"
            )
        return {str(k): v for k, v in value.items()}
    raise ValueError(
        f"a meter is a name such as 'ledger' or a mapping with 'name' and options, not a {type(value).__name__}"
    )


@dataclass(frozen=True)
class MeterSpec:
    name: str
    options: dict[str, Any] = field(default_factory=dict)


def meter_specs(entries: Sequence[str | Mapping[str, Any]]) -> list[MeterSpec]:
    specs = []
    for entry in entries:
        if isinstance(entry, str):
            specs.append(MeterSpec(entry))
        else:
            options = dict(entry)
            specs.append(MeterSpec(str(options.pop("name")).strip(), options))
    return specs
