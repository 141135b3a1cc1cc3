"""Configuration of the built-in resolver and the sources it is read from."""

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
    from llm_resolver.config.models import FallbackModel, LiteLLMConfig, RetryConfig
    from llm_resolver.config.sources import build_config

__all__ = [
    "FallbackModel",
    "LiteLLMConfig",
    "RetryConfig",
    "build_config",
]

# Each name is imported from its module on first access: importing one of this package's modules
# (a registry, say) does not import all of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "FallbackModel": "models",
        "LiteLLMConfig": "models",
        "RetryConfig": "models",
        "build_config": "sources",
    },
)
