"""Rustic AI host: ``class_name: llm_resolver_rustic.LiteLLMResolver`` in a guild spec injects
llm-resolver's LLM (fallbacks, our retries, budgets, cost) into processors that ``depends_on=["llm"]``."""

from llm_resolver_rustic.errors import RusticLLMError, to_rustic
from llm_resolver_rustic.llm import RusticLLM
from llm_resolver_rustic.resolver import LiteLLMResolver

__all__ = ["LiteLLMResolver", "RusticLLM", "RusticLLMError", "to_rustic"]
