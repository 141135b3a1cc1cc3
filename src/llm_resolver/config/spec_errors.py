"""A pydantic ``ValidationError`` as one readable ``SpecError``: each problem with its field and source."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from pydantic import BaseModel, ValidationError

from llm_resolver.config.metering import BudgetConfig
from llm_resolver.config.models import (
    MAPPING_TAG,
    NAME_TAG,
    FallbackModel,
    LiteLLMConfig,
    ModelInfoConfig,
    RetryConfig,
)
from llm_resolver.errors import SpecError

# Nested settings and the model that lists their fields when one is unknown.
_NESTED: dict[str, type[BaseModel]] = {
    "fallback_models": FallbackModel,
    "retry": RetryConfig,
    "budget_usd": BudgetConfig,
    "model_info": ModelInfoConfig,
    "embedding_model": FallbackModel,
    "embedding_fallback_models": FallbackModel,
}


def spec_error_from(
    exc: ValidationError,
    origin: Mapping[str, str] | None = None,
    schema: type[BaseModel] | None = LiteLLMConfig,
) -> SpecError:
    """One readable SpecError for all problems, each naming its field and source; never the bad value.

    ``schema`` is the model that was validated, for listing the known settings next to an unknown one.
    """
    lines = []
    first_field = None
    for err in exc.errors():
        parts = [p for p in err["loc"] if p not in (NAME_TAG, MAPPING_TAG)]
        loc = ".".join(str(p) for p in parts) or "properties"
        first_field = first_field or loc
        top = str(parts[0]) if parts else ""
        source = f" (set by {origin[top]})" if origin and top in origin else ""
        if err["type"] == "extra_forbidden":
            lines.append(f"{loc}: unknown setting{source}{_known(parts, schema)}")
        elif schema is LiteLLMConfig and top == "fallback_models" and len(parts) == 2:
            fields = ", ".join(FallbackModel.model_fields)
            lines.append(f"{loc}: {err['msg']}{source}; a fallback is a model name or a mapping of {fields}")
        else:
            lines.append(f"{loc}: {err['msg']}{source}")
    return SpecError("; ".join(lines), field=first_field)


def _known(parts: list[int | str], schema: type[BaseModel] | None) -> str:
    if schema is None:
        return "; remove it"
    owner = _NESTED.get(str(parts[0]), schema) if schema is LiteLLMConfig and len(parts) > 1 else schema
    fields = sorted(owner.model_fields)
    close = difflib.get_close_matches(str(parts[-1]), fields, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"; {hint}known settings: {', '.join(fields)}"
