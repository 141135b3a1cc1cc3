"""Model information: one LLM's catalog (LiteLLM's map plus ``model_info``), provider listings, and the
context pre-check."""

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
    from llm_resolver.catalog.listing import ModelLister, ModelListing, alist_models, list_models
    from llm_resolver.catalog.model_catalog import ModelCatalog

__all__ = [
    "ModelCatalog",
    "ModelLister",
    "ModelListing",
    "alist_models",
    "list_models",
]

# Each name is imported from its module on first access: importing one of this package's modules
# (a registry, say) does not import all of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "ModelCatalog": "model_catalog",
        "ModelLister": "listing",
        "ModelListing": "listing",
        "alist_models": "listing",
        "list_models": "listing",
    },
)
