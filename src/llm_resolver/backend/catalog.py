"""What LiteLLM's bundled model map knows about a model, without its stdout banner for unknown ones."""

from __future__ import annotations

from typing import Any

from llm_resolver.backend.loader import litellm


def model_entry(model: str) -> dict[str, Any] | None:
    """The price-map entry for ``model`` (``provider/name`` or bare), or None when it is not mapped."""
    cost_map: dict[str, Any] = litellm().model_cost
    for key in (model, model.split("/", 1)[-1]):
        if key in cost_map:
            try:
                info: dict[str, Any] = dict(litellm().get_model_info(model))
            except Exception:
                info = dict(cost_map[key])
            return info
    return None


def context_size(model: str) -> int | None:
    entry = model_entry(model)
    size = (entry or {}).get("max_input_tokens") or (entry or {}).get("max_tokens")
    return int(size) if size else None


def supports(model: str, capability: str) -> bool | None:
    """True/False when the map says so; None when the model is unknown (we then let the provider decide)."""
    entry = model_entry(model)
    if entry is None:
        return None
    value = entry.get(f"supports_{capability}")
    return None if value is None else bool(value)


def count_tokens(
    model: str,
    messages: list[dict[str, Any]] | None = None,
    text: str | None = None,
    tools: list[dict[str, Any]] | None = None,
) -> int:
    """LiteLLM's count with ``model``'s tokenizer; images by their default size, never fetched."""
    if text is not None:
        return int(litellm().token_counter(model=model, text=text))
    return int(
        litellm().token_counter(
            model=model, messages=messages or [], tools=tools or None, use_default_image_token_count=True
        )
    )
