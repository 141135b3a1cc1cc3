"""Fixtures every test folder can use: settings for a model on the emulator and LLMs built from them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from llm_resolver import RetryConfig
from llm_resolver.testing import ProviderEmulator
from tests.helpers import MakeLLM, llm_factory


@pytest.fixture
def emulator_settings(provider_emulator: ProviderEmulator) -> dict[str, Any]:
    """An OpenAI-format model on the emulator; tests override what they exercise."""
    return {
        "model": "openai/gpt-4o-mini",
        "api_base": provider_emulator.openai_base,
        "api_key": "test-key",
        "timeout": 5.0,
    }


@pytest.fixture
def make_llm(emulator_settings: dict[str, Any]) -> MakeLLM:
    """LLMs on the emulator that retry without waiting."""
    return llm_factory({**emulator_settings, "retry": RetryConfig(initial_wait=0, jitter=0)})


@pytest.fixture
def collect_leaks() -> Iterator[None]:
    """Collect what LiteLLM leaked while the test's warning filters apply, not in some later test."""
    yield
    gc.collect()
