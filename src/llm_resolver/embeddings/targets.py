"""The chain an embedding call goes through: ``embedding_model`` then ``embedding_fallback_models``."""

from __future__ import annotations

from llm_resolver.backend.targets import Target, targets_for
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.config.models import FallbackModel, LiteLLMConfig
from llm_resolver.errors import SpecError


def embedding_targets(
    config: LiteLLMConfig, catalog: ModelCatalog, model: str | FallbackModel | None = None
) -> list[Target]:
    """A per-call ``model`` replaces the configured chain. Endpoints follow the fallback rules: a name
    of the chat model's provider shares its api_base and key, a mapping brings its own."""
    chain = [model] if model is not None else [config.embedding_model, *config.embedding_fallback_models]
    if not chain[0]:
        raise SpecError(
            "no embedding model: set embedding_model in the config (for example "
            "openai/text-embedding-3-small) or pass model= to embed(); the chat model is not used for "
            "embeddings",
            field="embedding_model",
        )
    derived = config.model_copy(update={"fallback_models": chain})
    return catalog.priced(targets_for(derived)[1:], embedding=True)
