"""What a processor sends reaches the provider converted (tools, images, formats), and what comes
back reaches Rustic converted; SimpleLLMAgent runs unchanged."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from typing import Any

from PIL import Image
from rustic_ai.core.agents.llm.simple_llm_agent import SimpleLLMAgent

from llm_resolver.testing import Fault, ProviderEmulator, Reply, ToolCallSpec
from plugins.rustic.tests.agents import AsyncLLMAgent, SyncLLMAgent, ToolLoopAgent
from plugins.rustic.tests.conftest import ASK, RunningGuild

SIMPLE_CHAT = "rustic_ai.core.agents.llm.simple_llm_agent.SimpleChatMessage"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_simple_llm_agent_answers_through_our_llm(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    running = launch(emulator_props, (SimpleLLMAgent, {"chat_memory": 4}))
    [msg] = running.ask({"content": "hello"}, SIMPLE_CHAT)
    assert msg.format.endswith("SimpleChatResponse")
    assert msg.payload["content"] == "echo: hello"


def test_simple_llm_agent_answers_a_provider_error_with_chat_completion_error(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.auth())
    running = launch(emulator_props, (SimpleLLMAgent, {"chat_memory": 4}))
    [msg] = running.ask({"content": "hello"}, SIMPLE_CHAT)
    assert msg.format.endswith("ChatCompletionError")
    assert msg.payload["status_code"] == 401
    assert "test-key" not in json.dumps(msg.payload)
    assert provider_emulator.request_count() == 1  # a 401 is not retried


def test_tools_and_tool_choice_go_out_and_tool_calls_come_back(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(tool_calls=[ToolCallSpec("weather", {"city": "Oslo"}, id="call_1")]))
    request = {
        "messages": [{"role": "user", "content": "weather in Oslo?"}],
        "tools": [WEATHER_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "weather"}},
    }
    [msg] = launch(emulator_props, SyncLLMAgent).ask({"request": request}, ASK)
    assert msg.payload["finish_reason"] == "tool_calls"
    [call] = msg.payload["tool_calls"]
    assert call["id"] == "call_1"
    assert call["function"]["name"] == "weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Oslo"}
    body = provider_emulator.requests[-1].body or {}
    assert body["tools"] == [WEATHER_TOOL]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "weather"}}


def test_a_tool_result_conversation_round_trips(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "weather", "arguments": '{"city":"Oslo"}'},
    }
    request = {
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "weather in Oslo?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "content": "rain", "tool_call_id": "call_1"},
        ],
        "tools": [WEATHER_TOOL],
    }
    [msg] = launch(emulator_props, AsyncLLMAgent).ask({"request": request}, ASK)
    assert msg.payload["finish_reason"] == "stop"
    sent = (provider_emulator.requests[-1].body or {})["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool"]
    assert sent[2]["tool_calls"][0]["function"] == {"name": "weather", "arguments": '{"city": "Oslo"}'}
    assert sent[3] == {"role": "tool", "content": "rain", "tool_call_id": "call_1"}


def test_an_image_part_reaches_the_provider(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    url = _png()
    content = [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
    ]
    request = {"messages": [{"role": "user", "content": content}]}
    [msg] = launch(emulator_props, SyncLLMAgent).ask({"request": request}, ASK)
    assert msg.payload["text"]
    [sent] = (provider_emulator.requests[-1].body or {})["messages"]
    assert sent["content"][1] == {"type": "image_url", "image_url": {"url": url, "detail": "low"}}


def test_response_format_by_dotted_path_is_structured_output(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text='{"name": "Paris", "population": 2100000}'))
    request = {
        "messages": [{"role": "user", "content": "the biggest French city?"}],
        "response_format": "plugins.rustic.tests.agents.City",
    }
    [msg] = launch(emulator_props, SyncLLMAgent).ask({"request": request}, ASK)
    assert msg.payload["parsed"] == {"name": "Paris", "population": 2100000}
    body = provider_emulator.requests[-1].body or {}
    assert body["response_format"]["type"] == "json_schema"


def test_run_tools_works_on_the_injected_llm(
    launch: Callable[..., RunningGuild], emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"})]), Reply(text="2.1 million")
    )
    [msg] = launch(emulator_props, ToolLoopAgent).ask({"text": "how many live in Paris?"}, ASK)
    assert msg.payload == {"text": "2.1 million", "steps": 2}
    tool_message = (provider_emulator.requests[-1].body or {})["messages"][-1]
    assert tool_message["role"] == "tool"
    assert "2100000" in tool_message["content"]
