"""What the three framework bridges' tests share: one spec on the provider emulator, an OpenAI-format
model that retries once without waiting, then falls back to an Anthropic-format model. Each bridge's
conftest re-exports these fixtures."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from llm_resolver import LLM, DependencySpec
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator


@pytest.fixture
def spec(provider_emulator: ProviderEmulator) -> DependencySpec:
    return DependencySpec(
        class_name="litellm",
        properties={
            "model": "openai/gpt-4o-mini",
            "api_base": provider_emulator.openai_base,
            "api_key": "test-key",
            "max_retries": 1,
            "retry": {"initial_wait": 0, "jitter": 0},
            "embedding_model": "openai/text-embedding-3-small",
            "vision": {"allow_remote": ["example.com"]},  # the image tests send one remote URL
            "fallback_models": [
                {
                    "model": "anthropic/claude-haiku-4-5",
                    "api_base": provider_emulator.anthropic_base,
                    "api_key": "k",
                }
            ],
        },
    )


@pytest.fixture
def plugins() -> PluginManager:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    return manager


@pytest.fixture
def llm(spec: DependencySpec, plugins: PluginManager) -> LLM:
    resolved: Any = spec.to_resolver(plugins=plugins, env={}).get_or_resolve()
    assert isinstance(resolved, LLM)
    return resolved


@pytest.fixture
def chat_counts(provider_emulator: ProviderEmulator) -> Callable[[], dict[str, int]]:
    """Chat requests so far per wire format, e.g. ``{"openai": 2, "anthropic": 1}``."""
    return lambda: dict(Counter(r.provider for r in provider_emulator.requests if r.kind == "chat"))


@pytest.fixture(autouse=True)
def _collect_leaks_here() -> Iterator[None]:
    """Collect what LiteLLM leaked while this test's filters apply, not in some later test."""
    yield
    gc.collect()
