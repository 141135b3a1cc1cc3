"""Configuration of the built-in resolver and the sources it is read from."""

from llm_resolver.config.models import FallbackModel, LiteLLMConfig, RetryConfig
from llm_resolver.config.sources import build_config

__all__ = ["FallbackModel", "LiteLLMConfig", "RetryConfig", "build_config"]
