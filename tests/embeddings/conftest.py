"""LLMs on the emulator with an embedding model."""

from __future__ import annotations

import functools

import pytest

from tests.helpers import MakeLLM


@pytest.fixture
def make_llm(make_llm: MakeLLM) -> MakeLLM:
    return functools.partial(make_llm, embedding_model="openai/text-embedding-3-small")
