"""OpenAI Agents SDK bridge: a resolved llm-resolver LLM as an Agents SDK Model and ModelProvider."""

from llm_resolver_openai_agents.model import ResolverModel, ResolverModelProvider

__all__ = ["ResolverModel", "ResolverModelProvider"]
