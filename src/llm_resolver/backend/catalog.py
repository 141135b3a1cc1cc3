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


# The Hugging Face tokenizer kinds LiteLLM selects that it loads from files bundled in the package;
# every other kind (cohere, llama2, llama3) is downloaded from the Hugging Face Hub on first use.
_BUNDLED_TOKENIZER_KINDS = frozenset({"anthropic"})


def count_tokens(
    model: str,
    messages: list[dict[str, Any]] | None = None,
    text: str | None = None,
    tools: list[dict[str, Any]] | None = None,
) -> int:
    """LiteLLM's count with ``model``'s tokenizer; images by their default size, never fetched.

    A model whose tokenizer LiteLLM would download from the Hugging Face Hub (llama-2/llama-3,
    replicate, cohere command-r names) is counted with LiteLLM's default tiktoken encoding instead:
    no count ever makes a network request, whatever the model is called."""
    tokenizer = _offline_tokenizer(model)
    if text is not None:
        return int(litellm().token_counter(model=model, custom_tokenizer=tokenizer, text=text))
    return int(
        litellm().token_counter(
            model=model,
            custom_tokenizer=tokenizer,
            messages=messages or [],
            tools=tools or None,
            use_default_image_token_count=True,
        )
    )


def _offline_tokenizer(model: str) -> dict[str, Any] | None:
    """None (LiteLLM picks) unless LiteLLM would fetch ``model``'s tokenizer from the Hub; then its
    tiktoken tokenizer, built as LiteLLM builds its own fallback (``_return_openai_tokenizer``)."""
    utils = litellm().utils
    kind = utils.huggingface_tokenizer_kind(model)
    if kind is None or kind in _BUNDLED_TOKENIZER_KINDS:
        return None
    return {"type": "openai_tokenizer", "tokenizer": utils.get_default_encoding()}
