"""Checks made before any network call, so a request that cannot work fails fast and for free."""

from __future__ import annotations

from llm_resolver.backend import catalog
from llm_resolver.errors import LLMCapabilityError
from llm_resolver.types.request import ChatRequest


def check_capabilities(model: str, request: ChatRequest) -> None:
    if any(m.images for m in request.messages) and _lacks_vision(model):
        raise LLMCapabilityError(
            f"{model} does not accept images; use a vision model (for example openai/gpt-4o-mini) "
            "or send text only",
            model=model,
        )
    if request.tools and catalog.supports(model, "function_calling") is False:
        raise LLMCapabilityError(
            f"{model} does not support tool calling; pick a model that does or drop the tools", model=model
        )


def _lacks_vision(model: str) -> bool:
    """LiteLLM's rule: a mapped model without ``supports_vision`` has none; an unmapped one may have it."""
    entry = catalog.model_entry(model)
    return entry is not None and not entry.get("supports_vision")
