"""Shared pieces for the metering tests: a plugin manager with test meters, and LLMs on the emulator."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from llm_resolver import LiteLLMResolver, hookimpl
from llm_resolver.metering import Reservation, UsageEvent
from llm_resolver.plugins.manager import PluginManager


@pytest.fixture(autouse=True)
def _collect_leaks_here(collect_leaks: None) -> None:
    """LiteLLM leaks the most on these paths: collect it while this folder's warning filters apply."""


class RecordingMeter:
    """Keeps every event, reservation and settlement it sees."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.events: list[UsageEvent] = []
        self.reserved: list[Reservation] = []
        self.settled: list[tuple[Reservation, float]] = []
        self._lock = threading.Lock()

    def record(self, event: UsageEvent) -> None:
        with self._lock:
            self.events.append(event)

    def reserve(self, reservation: Reservation) -> None:
        with self._lock:
            self.reserved.append(reservation)

    def settle(self, reservation: Reservation, cost_usd: float) -> None:
        with self._lock:
            self.settled.append((reservation, cost_usd))

    def outcomes(self) -> list[str]:
        return [e.outcome for e in self.events]


class MeterPlugin:
    """Registers ``recorder`` (one shared RecordingMeter) and any extra factories a test adds."""

    def __init__(self) -> None:
        self.recorder = RecordingMeter()
        self.extra: dict[str, Callable[..., Any]] = {}

    def _make_recorder(self, **options: Any) -> RecordingMeter:
        self.recorder.options = options
        return self.recorder

    @hookimpl
    def register_cost_meters(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        register("recorder", self._make_recorder)
        for name, factory in self.extra.items():
            register(name, factory)


@pytest.fixture
def meter_plugin() -> MeterPlugin:
    return MeterPlugin()


@pytest.fixture
def plugins() -> PluginManager:
    """The built-in plugin only, whatever else is installed; ``make_resolver`` adds the test meters."""
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    return manager


MakeResolver = Callable[..., LiteLLMResolver]


@pytest.fixture
def make_resolver(
    emulator_settings: dict[str, Any], plugins: PluginManager, meter_plugin: MeterPlugin
) -> MakeResolver:
    """The built-in resolver on the emulator (OpenAI format), retrying without waits. The test meters
    are registered at the first call, so a test adds its factories to ``meter_plugin.extra`` before
    (a plugin's registrations are read when it is registered)."""
    registered: list[MeterPlugin] = []

    def make(**overrides: Any) -> LiteLLMResolver:
        if not registered:
            plugins.register(meter_plugin, "test-meters")
            registered.append(meter_plugin)
        props = {**emulator_settings, "retry": {"initial_wait": 0, "jitter": 0}, **overrides}
        return LiteLLMResolver(plugins=plugins, env={}, **props)

    return make
