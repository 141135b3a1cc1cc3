"""Checks made before any network call, so a request that cannot work fails fast and for free."""

from __future__ import annotations

from llm_resolver.backend import catalog
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.errors import LLMCapabilityError
from llm_resolver.types.request import ChatRequest


def check_capabilities(model: str, request: ChatRequest, models: ModelCatalog) -> None:
    if any(m.images for m in request.messages) and _lacks_vision(model, models):
        raise LLMCapabilityError(
            f"{model} does not accept images; use a vision model (for example openai/gpt-4o-mini), "
            "send text only, or set model_info.<model>.supports_vision if the model does accept them",
            model=model,
        )
    if request.tools and models.supports(model, "tools") is False:
        raise LLMCapabilityError(
            f"{model} does not support tool calling; pick a model that does or drop the tools", model=model
        )


def _lacks_vision(model: str, models: ModelCatalog) -> bool:
    """The config's ``model_info`` decides first; then LiteLLM's rule: a mapped model without
    ``supports_vision`` has none, an unmapped one may have it."""
    declared = models.supports(model, "vision")
    if declared is not None:
        return not declared
    return catalog.model_entry(model) is not None
