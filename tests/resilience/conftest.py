"""Shared pieces for the resilience tests: a fake clock, and LLMs on the emulator that wait on it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import FakeClock, MakeLLM, llm_factory


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_llm(emulator_settings: dict[str, Any], fake_clock: FakeClock) -> MakeLLM:
    """LLMs on the emulator with the default backoff, waited on the fake clock so tests can assert it."""
    return llm_factory(emulator_settings, fake_clock.clock())
