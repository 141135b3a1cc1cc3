"""PydanticAI bridge: a resolved llm-resolver LLM as a PydanticAI Model, in-process."""

from llm_resolver_pydantic_ai.model import ResolverModel, ResolverStreamedResponse

__all__ = ["ResolverModel", "ResolverStreamedResponse"]
