"""Shared fixtures for the core tests: an emulator, a plugin manager holding only the built-in plugin,
and secrets shaped like real provider keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator

# Shaped like real keys, so the pattern scrubbing would also catch them ...
OPENAI_KEY = "sk-test-" + "Zq7Xw2Lp9Rt4Vb6Nm3Kd8Hs1Gf5Jc0"
ANTHROPIC_KEY = "sk-ant-test-" + "Pe4Wr7Ty2Ui9Op3As6Df1Gh8Jk5Lz0"
# ... and one no pattern matches, which only stays hidden if we never write it at all.
PLAIN_SECRET = "plain-" + "qwertyuiopasdfghjklzxcvbnm0123"
HEADER_SECRET = "hdr-" + "mnbvcxzlkjhgfdsapoiuytrewq9876"


@pytest.fixture
def emu() -> Iterator[ProviderEmulator]:
    with ProviderEmulator() as emulator:
        yield emulator


@pytest.fixture
def builtin_plugins() -> PluginManager:
    """Only the built-in plugin, whatever else is installed, so tests see a known set of plugins."""
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    return manager


def openai_props(emu: ProviderEmulator, **extra: Any) -> dict[str, Any]:
    """Properties for the built-in resolver talking OpenAI to the emulator, retrying without waits."""
    return {
        "model": "openai/gpt-4o-mini",
        "api_base": emu.openai_base,
        "api_key": "x",
        "retry": {"initial_wait": 0, "jitter": 0},
        **extra,
    }
