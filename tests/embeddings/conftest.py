"""LLMs on the emulator with an embedding model, and embedding in either mode."""

from __future__ import annotations

import functools

import pytest

from llm_resolver import EmbeddingResponse
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.testing import ProviderEmulator
from tests.helpers import MakeLLM


@pytest.fixture
def make_llm(make_llm: MakeLLM) -> MakeLLM:
    return functools.partial(make_llm, embedding_model="openai/text-embedding-3-small")


async def embed(llm: LiteLLM, mode: str, texts: object, **options: object) -> EmbeddingResponse:
    if mode == "sync":
        return llm.embed(texts, **options)  # type: ignore[arg-type]
    return await llm.aembed(texts, **options)  # type: ignore[arg-type]


def embedding_requests(emu: ProviderEmulator) -> list[list[str]]:
    return [r.body["input"] for r in emu.requests if r.kind == "embeddings" and r.body]
