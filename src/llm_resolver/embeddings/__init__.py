"""Embeddings: batching, concurrency and reassembly on top of the resilient executor."""

from llm_resolver.embeddings.embedder import Embedder

__all__ = ["Embedder"]
