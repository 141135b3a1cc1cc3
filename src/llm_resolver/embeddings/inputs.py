"""What ``embed`` accepts: the texts and the per-call options, checked before any request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import PydanticCustomError

from llm_resolver.config.models import FallbackModel
from llm_resolver.errors import LLMBadRequestError
from llm_resolver.types.limits import check_seconds
from llm_resolver.types.options import EmbeddingProviderOptions, check_provider_options

OPTIONS = ("deadline", "dimensions", "model", "provider_options")
# Far above any embedding model's size (3,072 for the largest OpenAI one): a bound, so an int such as
# 2**63 is refused here instead of reaching the provider (and 10**5000 cannot even be printed).
MAX_DIMENSIONS = 65_536


@dataclass(frozen=True)
class EmbedOptions:
    model: str | FallbackModel | None = None
    deadline: float | None = None
    # Sent to LiteLLM with every batch (``dimensions`` and ``provider_options``).
    extra: dict[str, Any] = field(default_factory=dict)


def texts_of(texts: str | Sequence[str]) -> list[str]:
    """One text or many, as a list; a non-text or an empty text is refused (providers reject both)."""
    items = [texts] if isinstance(texts, str) else texts
    if isinstance(items, bytes | Mapping) or not isinstance(items, Sequence):
        raise LLMBadRequestError(f"embed takes a str or a list of str, not a {type(texts).__name__}")
    out = list(items)
    for index, text in enumerate(out):
        if not isinstance(text, str):
            raise LLMBadRequestError(f"text {index} is a {type(text).__name__}; embed takes only str")
        if not text:
            raise LLMBadRequestError(f"text {index} is empty; providers refuse empty inputs, drop it")
    return out


def options_of(options: Mapping[str, Any], default_deadline: float | None) -> EmbedOptions:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise LLMBadRequestError(f"unknown embed option(s) {unknown}; known: {list(OPTIONS)}")
    model = options.get("model")
    if model is not None and not (isinstance(model, FallbackModel) or (isinstance(model, str) and model)):
        raise LLMBadRequestError(
            f"model must be a model name such as openai/text-embedding-3-small, got {model!r}"
        )
    deadline = check_seconds(options.get("deadline", default_deadline), "deadline")
    extra: dict[str, Any] = {}
    dimensions = options.get("dimensions")
    if dimensions is not None:
        if (
            not isinstance(dimensions, int)
            or isinstance(dimensions, bool)
            or not 0 < dimensions <= MAX_DIMENSIONS
        ):
            shown = (
                f"{dimensions!r:.40}"
                if not isinstance(dimensions, int) or dimensions < 10**40
                else "a huge int"
            )
            raise LLMBadRequestError(f"dimensions must be a positive int up to {MAX_DIMENSIONS}, got {shown}")
        extra["dimensions"] = dimensions
    try:
        extra.update(check_provider_options(options.get("provider_options"), EmbeddingProviderOptions))
    except PydanticCustomError as exc:
        raise LLMBadRequestError(f"provider_options: {exc}") from None
    return EmbedOptions(model=model, deadline=deadline, extra=extra)
