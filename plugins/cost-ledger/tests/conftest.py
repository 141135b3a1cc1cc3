"""Fixtures for the ledger tests: a ledger file, the ledger plugin loaded from its entry point, LLMs
on the emulator."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import LiteLLMResolver
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite3"


@pytest.fixture
def plugins() -> PluginManager:
    """The built-in plugin and the ledger, found through their entry points like in production."""
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "ledger"})
    manager.load_entrypoints()
    return manager


@pytest.fixture
def make_resolver(
    provider_emulator: ProviderEmulator, plugins: PluginManager, ledger_path: Path
) -> Callable[..., LiteLLMResolver]:
    def make(**overrides: Any) -> LiteLLMResolver:
        props: dict[str, Any] = {
            "model": "openai/gpt-4o-mini",
            "api_base": provider_emulator.openai_base,
            "api_key": "test-key",
            "timeout": 5.0,
            "retry": {"initial_wait": 0, "jitter": 0},
            "cost_meters": [{"name": "ledger", "path": str(ledger_path)}],
        }
        props.update(overrides)
        return LiteLLMResolver(plugins=plugins, env={}, **props)

    return make


@pytest.fixture(autouse=True)
def _collect_leaks_here() -> Iterator[None]:
    """Collect what LiteLLM leaked while this test's filter applies, not in some later test."""
    yield
    gc.collect()
