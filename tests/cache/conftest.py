"""Shared pieces for the cache tests: a fake clock, a plugin with test backends, LLMs on the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import LiteLLMResolver, hookimpl
from llm_resolver.plugins.manager import PluginManager


@pytest.fixture(autouse=True)
def _collect_leaks_here(collect_leaks: None) -> None:
    """LiteLLM leaks the most on these paths: collect it while this folder's warning filters apply."""


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class BrokenBackend:
    """A backend whose server is down: every operation raises, and each attempt is counted."""

    blocking = True

    def __init__(self) -> None:
        self.calls = 0

    def get(self, key: str) -> bytes | None:
        self.calls += 1
        raise ConnectionError("cache server at 10.0.0.9 refused the connection")

    def set(self, key: str, value: bytes, ttl: float | None) -> None:
        self.calls += 1
        raise ConnectionError("cache server at 10.0.0.9 refused the connection")


class BackendPlugin:
    def __init__(self) -> None:
        self.broken = BrokenBackend()

    @hookimpl
    def register_cache_backends(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        register("broken", lambda: self.broken)


@pytest.fixture
def backend_plugin() -> BackendPlugin:
    return BackendPlugin()


@pytest.fixture
def plugins(backend_plugin: BackendPlugin) -> PluginManager:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    manager.register(backend_plugin, "test-backends")
    return manager


MakeResolver = Callable[..., LiteLLMResolver]


@pytest.fixture
def make_resolver(emulator_settings: dict[str, Any], plugins: PluginManager) -> MakeResolver:
    """The built-in resolver on the emulator (OpenAI format), with an in-memory cache unless overridden."""

    def make(**overrides: Any) -> LiteLLMResolver:
        props = {**emulator_settings, "max_retries": 0, "cache": "memory", **overrides}
        return LiteLLMResolver(plugins=plugins, env={}, **props)

    return make
