"""The last tier of the model listing: what LiteLLM's bundled price map knows about a provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_resolver.backend.loader import litellm
from llm_resolver.catalog.model_catalog import info_from_entry

if TYPE_CHECKING:
    from llm_resolver.types.responses import ModelInfo


def bundled_entries(provider: str) -> dict[str, dict[str, Any]]:
    """``provider/name`` -> map entry for every model the map files under ``provider``.

    Keys that are not model names (OpenAI's per-size image prices such as ``low/1024-x-1024/...``)
    are left out.
    """
    out: dict[str, dict[str, Any]] = {}
    for key, entry in litellm().model_cost.items():
        if not isinstance(entry, dict) or entry.get("litellm_provider") != provider:
            continue
        name = key.removeprefix(f"{provider}/")
        if "/" not in name:
            out.setdefault(f"{provider}/{name}", entry)
    return out


def bundled_models(provider: str) -> list[ModelInfo]:
    return [info_from_entry(model, entry) for model, entry in sorted(bundled_entries(provider).items())]


def known_providers() -> list[str]:
    return sorted(str(getattr(p, "value", p)) for p in litellm().provider_list)
