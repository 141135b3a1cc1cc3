"""Fixtures for the tool tests: LLMs on the emulator, and a plugin manager holding only what a test adds."""

from __future__ import annotations

from typing import Any

import pytest

from llm_resolver import LiteLLM, LiteLLMResolver
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator


@pytest.fixture
def bare_plugins() -> PluginManager:
    """The built-in plugin only, whatever else is installed; tests register their own tool plugins."""
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    return manager


def openai_llm(emu: ProviderEmulator, plugins: PluginManager | None = None, **props: Any) -> LiteLLM:
    return LiteLLMResolver(
        model="openai/gpt-4o-mini",
        api_base=emu.openai_base,
        api_key="x",
        env={},
        plugins=plugins,
        max_retries=0,
        **props,
    ).get_or_resolve()
