"""Shared pieces for the resilience tests: a fake clock, and LLMs on the emulator that wait on it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from llm_resolver.resilience.clock import Clock
from tests.helpers import MakeLLM, llm_factory


class FakeClock:
    """Real time plus whatever the code under test 'slept': sleeps are recorded and skipped."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, sleep=self.sleep, asleep=self.asleep)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_llm(emulator_settings: dict[str, Any], fake_clock: FakeClock) -> MakeLLM:
    """LLMs on the emulator with the default backoff, waited on the fake clock so tests can assert it."""
    return llm_factory(emulator_settings, fake_clock.clock())
