"""Model information: one LLM's catalog (LiteLLM's map plus ``model_info``), provider listings, and the
context pre-check."""

from llm_resolver.catalog.listing import ModelLister, ModelListing, alist_models, list_models
from llm_resolver.catalog.model_catalog import ModelCatalog

__all__ = ["ModelCatalog", "ModelLister", "ModelListing", "alist_models", "list_models"]
