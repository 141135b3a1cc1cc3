"""LangChain bridge: a resolved llm-resolver LLM as a LangChain chat model and embeddings, in-process."""

from llm_resolver_langchain.chat_model import ResolverChatModel
from llm_resolver_langchain.embeddings import ResolverEmbeddings

__all__ = ["ResolverChatModel", "ResolverEmbeddings"]
