"""One LLM's view of its models: LiteLLM's bundled map overlaid with the config's ``model_info``.

Custom entries stay in this object; LiteLLM's global model map is never changed (no ``register_model``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llm_resolver.backend import catalog
from llm_resolver.backend.targets import Target
from llm_resolver.config.models import FallbackModel, LiteLLMConfig, ModelInfoConfig
from llm_resolver.config.providers import provider_of

if TYPE_CHECKING:
    from llm_resolver.types.responses import ModelInfo

# ModelInfo field -> LiteLLM map key, where the names differ.
_MAP_KEYS = {"supports_tools": "supports_function_calling"}


def info_from_entry(model: str, entry: Mapping[str, Any]) -> ModelInfo:
    """A ``ModelInfo`` from a LiteLLM map entry (or an empty one for an unmapped model)."""
    from llm_resolver.types.responses import ModelInfo  # the response types are not needed to resolve

    fields = {name: entry.get(_MAP_KEYS.get(name, name)) for name in ModelInfo.model_fields}
    fields["model"] = model
    fields["provider"] = entry.get("litellm_provider") or provider_of(model)
    fields["max_input_tokens"] = fields["max_input_tokens"] or entry.get("max_tokens")
    return ModelInfo.model_validate(fields)


class ModelCatalog:
    """Limits, prices and capabilities per model: custom info first, then LiteLLM's map."""

    def __init__(self, custom: Mapping[str, ModelInfoConfig]) -> None:
        self._custom = dict(custom)

    @classmethod
    def from_config(cls, config: LiteLLMConfig) -> ModelCatalog:
        """``model_info``, with the prices set on the primary and on fallback mappings winning."""
        custom = dict(config.model_info)
        priced: list[LiteLLMConfig | FallbackModel] = [config]
        priced += [f for f in config.fallback_models if isinstance(f, FallbackModel)]
        for source in priced:
            prices = {
                name: getattr(source, name)
                for name in ("input_cost_per_token", "output_cost_per_token")
                if getattr(source, name) is not None
            }
            if prices:
                base = custom.get(source.model, ModelInfoConfig())
                custom[source.model] = base.model_copy(update=prices)
        return cls(custom)

    def info(self, model: str) -> ModelInfo:
        base = info_from_entry(model, catalog.model_entry(model) or {})
        custom = self._custom.get(model)
        if custom is None:
            return base
        return base.model_copy(update=custom.model_dump(exclude_none=True))

    def context_size(self, model: str) -> int | None:
        return self.info(model).max_input_tokens

    def supports(self, model: str, capability: str) -> bool | None:
        """True/False when known; None for a model neither the config nor LiteLLM's map describes."""
        value = getattr(self.info(model), f"supports_{capability}")
        return None if value is None else bool(value)

    def priced(self, targets: Sequence[Target], *, embedding: bool = False) -> list[Target]:
        """Targets with prices from ``model_info`` where the target names none itself. An embedding
        model has no output tokens, so its output price defaults to 0."""
        out = []
        for target in targets:
            custom = self._custom.get(target.model) or ModelInfoConfig()
            input_price = target.input_cost_per_token
            output_price = target.output_cost_per_token
            input_price = custom.input_cost_per_token if input_price is None else input_price
            output_price = custom.output_cost_per_token if output_price is None else output_price
            if embedding and input_price is not None and output_price is None:
                output_price = 0.0
            out.append(
                dataclasses.replace(
                    target, input_cost_per_token=input_price, output_cost_per_token=output_price
                )
            )
        return out
