"""Where ``LLMCore`` was: hosts that pool cores per configuration import it from here."""

from llm_resolver.pipeline.core import LLMCore

__all__ = ["LLMCore"]
