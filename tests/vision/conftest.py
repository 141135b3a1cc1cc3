"""Fixtures for the vision tests: images made in memory, and a plugin manager holding only what a test adds."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from llm_resolver.plugins.manager import PluginManager


def image_bytes(format: str = "PNG", size: tuple[int, int] = (4, 3), color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=format)
    return buffer.getvalue()


@pytest.fixture
def bare_plugins() -> PluginManager:
    """The built-in plugin only, whatever else is installed; tests register their own loaders."""
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    return manager
