"""The chain an embedding call goes through: ``embedding_model`` then ``embedding_fallback_models``."""

from __future__ import annotations

from llm_resolver.backend import catalog as bundled
from llm_resolver.backend.targets import Target, targets_for
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.catalog.providers import check_targets
from llm_resolver.config.models import FallbackModel, LiteLLMConfig
from llm_resolver.errors import SpecError


def embedding_targets(
    config: LiteLLMConfig, catalog: ModelCatalog, model: str | FallbackModel | None = None
) -> list[Target]:
    """A per-call ``model`` replaces the configured chain. Without ``embedding_model``, ``model`` is
    used when LiteLLM's map calls it an embedding model. Endpoints follow the fallback rules: a name of
    the chat model's provider shares its api_base and key, a mapping brings its own."""
    first = model if model is not None else config.embedding_model
    if first is None and is_embedding_model(config.model):
        first = config.model
    if first is None:
        raise SpecError(
            f"no embedding model: {config.model!r} is not an embedding model in LiteLLM's map; set "
            "embedding_model in the config (for example openai/text-embedding-3-small) or pass model= "
            "to embed()",
            field="embedding_model",
        )
    chain = [first] if model is not None else [first, *config.embedding_fallback_models]
    derived = config.model_copy(update={"fallback_models": chain})
    targets = catalog.priced(targets_for(derived)[1:], embedding=True)
    check_targets(targets, "embedding_model" if model is None else "model", "embedding_fallback_models")
    return targets


def is_embedding_model(model: str) -> bool:
    entry = bundled.model_entry(model)
    return entry is not None and entry.get("mode") == "embedding"
