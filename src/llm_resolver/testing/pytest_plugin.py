"""Pytest fixtures shipped with llm-resolver (registered through the ``pytest11`` entry point)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from llm_resolver.lifecycle import aclose_clients

from .emulator import ProviderEmulator


@pytest.fixture
def provider_emulator() -> Iterator[ProviderEmulator]:
    """A running :class:`ProviderEmulator`, fresh for each test and stopped afterwards."""
    with ProviderEmulator() as emulator:
        yield emulator


@pytest.fixture
async def litellm_async_clients() -> AsyncIterator[None]:
    """Close LiteLLM's async clients in the test's own event loop, so no socket outlives the loop
    (a leaked one surfaces later, in whichever test the garbage collector happens to run)."""
    yield
    await aclose_clients()
