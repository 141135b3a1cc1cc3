"""The server on a background thread, in front of models on the provider emulator, and clients for it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from llm_resolver_openai_server import RunningServer, ServerSettings, create_app

from llm_resolver import Dependencies, Scope
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator

UPSTREAM_KEY = "sk-upstream-0123456789abcdef"
CLIENT_KEY = "client-key-42"
TENANT_KEY = "tenant-key-7"  # held to acme/support


def sent(emulator: ProviderEmulator) -> dict[str, Any]:
    """The body of the last request the provider received."""
    body = emulator.requests[-1].body
    assert body is not None
    return body


def models(emu: ProviderEmulator, **support: Any) -> dict[str, Any]:
    fast = {"initial_wait": 0, "jitter": 0}
    return {
        "support": {
            "class_name": "litellm",
            "properties": {
                "model": "openai/gpt-4o-mini",
                "api_base": emu.openai_base,
                "api_key": UPSTREAM_KEY,
                "max_retries": 0,
                "retry": fast,
                "embedding_model": "openai/text-embedding-3-small",
                **support,
            },
        },
        "claude": {
            "class_name": "litellm",
            "properties": {
                "model": "anthropic/claude-haiku-4-5",
                "api_base": emu.anthropic_base,
                "api_key": UPSTREAM_KEY,
                "max_retries": 0,
                "retry": fast,
            },
        },
    }


def builtin_only() -> PluginManager:
    plugins = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    plugins.load_entrypoints()
    return plugins


@pytest.fixture
def deps(provider_emulator: ProviderEmulator) -> Dependencies:
    return Dependencies.from_dict(models(provider_emulator), plugins=builtin_only(), env={})


@pytest.fixture
def server(deps: Dependencies) -> Iterator[RunningServer]:
    with RunningServer(create_app(deps)) as running:
        yield running
    gc.collect()  # LiteLLM's leaks surface here, under this folder's filters, not in a later test


@pytest.fixture
def client(server: RunningServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as sdk:
        yield sdk


@pytest.fixture
def keyed_server(deps: Dependencies) -> Iterator[RunningServer]:
    keys = {"other-key": None, CLIENT_KEY: None, TENANT_KEY: Scope(org="acme", guild="support")}
    with RunningServer(create_app(deps, ServerSettings(api_keys=keys))) as running:
        yield running
