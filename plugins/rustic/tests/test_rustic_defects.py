"""One test per defect of Rustic's own LiteLLMResolver (see docs/hosts.md, "Before and after"):
each shows what ours does instead, on a real guild or the injected LLM, against the emulator."""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from llm_resolver_rustic import LiteLLMResolver
from rustic_ai.core.guild.agent_ext.depends.llm.models import ChatCompletionRequest, UserMessage

from llm_resolver import LLMBadRequestError, SpecError
from llm_resolver.testing import ProviderEmulator, Reply
from plugins.rustic.tests.agents import AsyncLLMAgent, SyncLLMAgent
from plugins.rustic.tests.conftest import ASK, ORG, RunningGuild

SECRET = "sk-rustic-test-0123456789abcdef"


def test_api_key_from_a_reference_reaches_the_provider_and_never_a_log(
    launch: Callable[..., RunningGuild],
    emulator_props: dict[str, Any],
    provider_emulator: ProviderEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("RUSTIC_TEST_OPENAI_KEY", SECRET)
    props = {**emulator_props, "api_key": "${RUSTIC_TEST_OPENAI_KEY}", "organization_id": "org-42"}
    with caplog.at_level(logging.INFO):
        running = launch(props, SyncLLMAgent)
        [msg] = running.ask({"text": "hello"}, ASK)
    assert msg.payload["text"] == "echo: hello"
    headers = provider_emulator.requests[-1].headers
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert headers["openai-organization"] == "org-42"
    assert "${RUSTIC_TEST_OPENAI_KEY}" in caplog.text  # GuildBuilder.launch logged the spec, reference kept
    assert SECRET not in caplog.text
    llm = LiteLLMResolver(**props).get_or_resolve(ORG, running.guild.id, "agent0")
    assert SECRET not in repr(llm.get_config()) + repr(llm) + repr(LiteLLMResolver(**props))


def test_unknown_property_is_an_error_naming_it(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any]
) -> None:
    with pytest.raises(SpecError, match=r"tempreature: unknown property.*did you mean 'temperature'"):
        launch({**emulator_props, "tempreature": 0.2}, SyncLLMAgent)
    with pytest.raises(SpecError, match="api_base: set either base_url or api_base, not both"):
        LiteLLMResolver(**emulator_props, api_base="http://127.0.0.1:1/v1")


def test_rustic_property_names_map_onto_ours(emulator_props: dict[str, Any]) -> None:
    resolver = LiteLLMResolver(
        **emulator_props,
        organization_id="org-1",
        max_retries=3,
        fallback_models=["openai/gpt-4o"],
        temperature=0.5,
        max_tokens=100,
        top_p=0.9,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        extra_headers={"x-team": "support"},
    )
    config = resolver.config
    assert config.api_base == emulator_props["base_url"]
    assert config.organization == "org-1"
    assert (config.max_retries, config.fallback_models, config.temperature) == (3, ["openai/gpt-4o"], 0.5)
    assert (config.max_tokens, config.top_p, config.frequency_penalty, config.presence_penalty) == (
        100,
        0.9,
        0.1,
        0.2,
    )
    assert config.extra_headers["x-team"].get_secret_value() == "support"


def test_stream_property_streams_and_assembles(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="one two three", chunks=3, usage=(12, 5)))
    running = launch({**emulator_props, "stream": True}, SyncLLMAgent, AsyncLLMAgent)
    answers = running.ask({"text": "count"}, ASK, expect=2)
    assert sorted(m.payload["text"] for m in answers) == ["echo: count", "one two three"]
    assert all(r.stream for r in provider_emulator.requests)
    assert all(m.payload["cost_usd"] for m in answers)


def test_the_callers_response_format_is_left_as_it_was(emulator_props: dict[str, Any]) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    prompt = ChatCompletionRequest(messages=[UserMessage(content="name?")], response_format=schema)
    before = copy.deepcopy(prompt.model_dump())
    llm = LiteLLMResolver(**emulator_props).get_or_resolve(ORG, "g", "a")
    llm.completion(prompt)
    assert prompt.model_dump() == before


def test_litellm_global_state_is_untouched(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any]
) -> None:
    import litellm

    before = (
        litellm.drop_params,
        litellm.success_callback,
        list(litellm.success_callback),
        litellm.callbacks,
    )
    launch(emulator_props, SyncLLMAgent, AsyncLLMAgent).ask({"text": "hi"}, ASK, expect=2)
    after = (litellm.drop_params, litellm.success_callback, list(litellm.success_callback), litellm.callbacks)
    assert after[0] == before[0]
    assert after[1] is before[1]
    assert after[2] == before[2]
    assert after[3] is before[3]


def test_a_refused_request_field_names_what_to_do() -> None:
    from llm_resolver_rustic.convert import to_request

    with pytest.raises(LLMBadRequestError, match=r"max_retries.*resolver's properties"):
        to_request(ChatCompletionRequest(messages=[UserMessage(content="x")], max_retries=3))


LEAK_SCRIPT = textwrap.dedent(
    """
    import gc, os, sys, time
    sys.path.insert(0, {root!r})
    from rustic_ai.core.agents.testutils.probe_agent import ProbeAgent
    from rustic_ai.core.guild.builders import AgentBuilder, GuildBuilder
    from rustic_ai.core.guild.dsl import DependencySpec
    from llm_resolver.testing import ProviderEmulator
    from plugins.rustic.tests.agents import AsyncLLMAgent

    def sockets():
        found = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                found += os.readlink("/proc/self/fd/" + fd).startswith("socket:")
            except OSError:  # the directory listing's own descriptor, closed by now
                pass
        return found

    with ProviderEmulator() as emu:
        props = {{"model": "openai/gpt-4o-mini", "base_url": emu.openai_base, "api_key": "k"}}
        builder = GuildBuilder("leaks", "leaks", "leaks").add_dependency_resolver(
            "llm", DependencySpec(class_name="llm_resolver_rustic.LiteLLMResolver", properties=props))
        builder.add_agent_spec(AgentBuilder(AsyncLLMAgent).set_id("a").set_name("a").set_description("a").build_spec())
        guild = builder.launch("acme")
        probe = guild._add_local_agent(
            AgentBuilder(ProbeAgent).set_id("p").set_name("p").set_description("p").build_spec())
        counts = []
        for i in range(6):
            probe.publish_dict(guild.DEFAULT_TOPIC, {{"text": f"q{{i}}"}}, format="plugins.rustic.tests.agents.Ask")
            while len(probe.get_messages()) < i + 1:
                time.sleep(0.01)
            gc.collect()
            counts.append(sockets())
        assert all("text" in m.payload for m in probe.get_messages()), probe.get_messages()
        print("sockets", counts)
        guild.shutdown()
    gc.collect()
    """
)


def test_async_processors_in_fresh_loops_leak_no_socket_and_print_no_warning() -> None:
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "default", "-c", LEAK_SCRIPT.format(root=root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONASYNCIODEBUG": "0"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    counts = [int(c) for c in result.stdout.split("sockets [")[1].split("]")[0].split(",")]
    assert counts[-1] == counts[0], counts  # no socket per message
    for needle in (
        "unclosed",
        "Event loop is closed",
        "Task was destroyed",
        "never awaited",
        "ResourceWarning",
    ):
        assert needle not in result.stderr, result.stderr[-3000:]


def test_pickling_carries_the_key_as_its_reference(
    emulator_props: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    monkeypatch.setenv("RUSTIC_TEST_OPENAI_KEY", SECRET)
    resolver = LiteLLMResolver(**{**emulator_props, "api_key": "${RUSTIC_TEST_OPENAI_KEY}"})
    llm = resolver.get_or_resolve(ORG, "g", "a")
    for obj in (resolver, llm):
        data = pickle.dumps(obj)
        assert SECRET.encode() not in data
        assert b"${RUSTIC_TEST_OPENAI_KEY}" in data
    assert pickle.loads(pickle.dumps(llm)) is llm  # the same process: the same pool, the same LLM
    again = pickle.loads(pickle.dumps(resolver))
    assert again.get_or_resolve(ORG, "g", "a") is llm
