"""LangChain embeddings over a resolved LLM's ``embed`` / ``aembed`` (its ``embedding_model``)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from llm_resolver import LLM


class ResolverEmbeddings(Embeddings):
    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.llm.embed(texts).vectors if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.llm.embed([text]).vectors[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return (await self.llm.aembed(texts)).vectors if texts else []

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.llm.aembed([text])).vectors[0]
