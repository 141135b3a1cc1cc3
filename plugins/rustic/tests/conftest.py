"""Real guilds on Rustic's sync execution engine and in-memory messaging, with a ProbeAgent, and an
LLM dependency on the provider emulator over HTTP."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import shortuuid
from rustic_ai.core.agents.testutils.probe_agent import ProbeAgent
from rustic_ai.core.guild import Guild
from rustic_ai.core.guild.builders import AgentBuilder, GuildBuilder
from rustic_ai.core.guild.dsl import DependencySpec
from rustic_ai.core.messaging.core.message import Message

from llm_resolver.testing import ProviderEmulator

RESOLVER = "llm_resolver_rustic.LiteLLMResolver"
ORG = "acme"


@dataclass
class RunningGuild:
    guild: Guild
    probe: ProbeAgent

    def ask(self, payload: dict[str, Any], fmt: str, expect: int = 1, timeout: float = 20.0) -> list[Message]:
        """Publish from the probe and wait for ``expect`` more messages to reach it."""
        before = len(self.probe.get_messages())
        self.probe.publish_dict(self.guild.DEFAULT_TOPIC, payload, format=fmt)
        deadline = time.monotonic() + timeout
        while len(self.probe.get_messages()) < before + expect and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.probe.get_messages()[before:]


@pytest.fixture
def emulator_props(provider_emulator: ProviderEmulator) -> dict[str, Any]:
    return {
        "model": "openai/gpt-4o-mini",
        "base_url": provider_emulator.openai_base,
        "api_key": "test-key",
        "timeout": 5.0,
        "retry": {"initial_wait": 0, "jitter": 0},
    }


@pytest.fixture
def launch() -> Iterator[Callable[..., RunningGuild]]:
    """``launch(properties, *agents)``: a guild whose ``llm`` dependency names our resolver; an agent
    is a class, or a (class, agent properties) pair."""
    guilds: list[Guild] = []

    def start(
        properties: dict[str, Any],
        *agents: type | tuple[type, dict[str, Any]],
        guild_id: str | None = None,
        org: str = ORG,
    ) -> RunningGuild:
        builder = GuildBuilder(guild_id or f"g-{shortuuid.uuid()[:8]}", "test guild", "llm tests")
        builder.add_dependency_resolver("llm", DependencySpec(class_name=RESOLVER, properties=properties))
        for i, entry in enumerate(agents):
            cls, agent_props = entry if isinstance(entry, tuple) else (entry, {})
            spec = AgentBuilder(cls).set_id(f"agent{i}").set_name(f"agent{i}").set_description("llm")
            builder.add_agent_spec(spec.set_properties(agent_props).build_spec())
        guild = builder.launch(org)
        guilds.append(guild)
        probe_spec = (
            AgentBuilder(ProbeAgent).set_id("probe").set_name("probe").set_description("probe").build_spec()
        )
        probe = guild._add_local_agent(probe_spec)
        assert isinstance(probe, ProbeAgent)
        return RunningGuild(guild, probe)

    yield start
    for guild in guilds:
        guild.shutdown()
    gc.collect()


ASK = "plugins.rustic.tests.agents.Ask"
