"""``POST /v1/responses``, as the openai SDK and openai-agents (on its default Responses path) use it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from agents import Agent, RunConfig, Runner, function_tool
from agents.models.openai_provider import OpenAIProvider
from llm_resolver_openai_server import RunningServer
from pydantic import BaseModel

from llm_resolver.testing import Fault, ProviderEmulator, Reply, ToolCallSpec

from .conftest import sent

ADD = {
    "type": "function",
    "name": "add",
    "description": "Add two integers.",
    "parameters": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    },
    "strict": True,
}


def test_text_input_with_instructions(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="Hello there", usage=(11, 2)))

    response = client.responses.create(model="support", input="hi", instructions="be brief")

    assert response.output_text == "Hello there"
    assert response.status == "completed"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (11, 2)  # type: ignore[union-attr]
    assert response.id.startswith("resp_")
    extras = response.model_extra["llm_resolver"]  # type: ignore[index]
    assert extras["model"] == "openai/gpt-4o-mini"
    assert extras["cost_usd"] > 0
    assert [a["outcome"] for a in extras["attempts"]] == ["ok"]
    assert sent(provider_emulator)["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]


def test_a_message_list_with_a_developer_message_and_history(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    client.responses.create(
        model="support",
        input=[
            {"role": "developer", "content": "answer in French"},
            {"role": "user", "content": [{"type": "input_text", "text": "hi"}]},
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "salut", "annotations": []}],
            },
            {"role": "user", "content": "again"},
        ],
        max_output_tokens=30,
        temperature=0.2,
    )

    body = sent(provider_emulator)
    assert body["messages"] == [
        {"role": "system", "content": "answer in French"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": "salut"},
        {"role": "user", "content": "again"},
    ]
    assert (body["max_tokens"], body["temperature"]) == (30, 0.2)


def test_the_sdks_stream_helper_assembles_the_events(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="one two three", chunks=3, usage=(4, 3)))

    with client.responses.stream(model="support", input="count") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()

    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert final.output_text == "one two three"
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens) == (4, 3)


async def test_the_async_client_streams_function_calls(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(tool_calls=[ToolCallSpec("add", {"a": 2, "b": 3}, id="call_1")], chunks=2))

    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk:
        stream = await sdk.responses.create(model="support", input="2+3?", tools=[ADD], stream=True)  # type: ignore[list-item]
        events = [event async for event in stream]

    assert [e.sequence_number for e in events] == list(range(1, len(events) + 1))
    done = [e for e in events if e.type == "response.function_call_arguments.done"]
    assert [json.loads(e.arguments) for e in done] == [{"a": 2, "b": 3}]
    final = events[-1]
    assert final.type == "response.completed"
    (call,) = final.response.output
    assert (call.type, call.call_id, call.name) == ("function_call", "call_1", "add")  # type: ignore[union-attr]
    assert sent(provider_emulator)["tools"][0]["function"]["name"] == "add"


def test_a_function_call_round_trip(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("add", {"a": 2, "b": 3}, id="call_1")]), Reply(text="5")
    )

    first = client.responses.create(model="support", input="2+3?", tools=[ADD], tool_choice="auto")  # type: ignore[list-item]
    (call,) = first.output
    assert call.type == "function_call"
    history: list[Any] = [
        {"role": "user", "content": "2+3?"},
        call.model_dump(exclude_none=True),
        {"type": "function_call_output", "call_id": call.call_id, "output": "5"},
    ]
    second = client.responses.create(model="support", input=history, tools=[ADD])  # type: ignore[list-item]

    assert second.output_text == "5"
    body = sent(provider_emulator)
    assistant, tool = body["messages"][1:]
    (sent_call,) = assistant["tool_calls"]
    assert (assistant["role"], sent_call["id"], sent_call["function"]["name"]) == (
        "assistant",
        "call_1",
        "add",
    )
    assert json.loads(sent_call["function"]["arguments"]) == {"a": 2, "b": 3}
    assert tool == {"role": "tool", "tool_call_id": "call_1", "content": "5"}
    assert (provider_emulator.requests[0].body or {})["tool_choice"] == "auto"


class Answer(BaseModel):
    city: str
    population: int


def test_structured_output_through_text_format(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text='{"city": "Paris", "population": 2100000}'))

    parsed = client.responses.parse(model="support", input="biggest French city?", text_format=Answer)

    assert parsed.output_parsed == Answer(city="Paris", population=2100000)
    response_format = sent(provider_emulator)["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Answer"
    assert response_format["json_schema"]["schema"]["required"] == ["city", "population"]


@pytest.mark.parametrize(
    ("extra", "param", "says"),
    [
        ({"api_base": "http://attacker.invalid"}, "api_base", "is not a field this server takes"),
        ({"previous_response_id": "resp_1"}, "previous_response_id", "send the whole conversation"),
        ({"conversation": "conv_1"}, "conversation", "send the whole conversation"),
        ({"tools": [{"type": "web_search"}]}, "tools[0].type", "this server takes function tools"),
        ({"text": {"format": {"type": "json_schema"}}}, "text.format.schema", "must be a JSON schema"),
        ({"reasoning": {"effort": "low", "summary": "auto"}}, "reasoning.summary", "reasoning.effort"),
        ({"max_output_tokens": "many"}, "max_output_tokens", "must be an integer"),
        ({"stream": "yes"}, "stream", "must be a boolean"),
        (
            {"input": [{"type": "reasoning", "summary": []}]},
            "input[0].type",
            "items of type 'reasoning' are not taken",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_file", "file_id": "f"}]}]},
            "input[0].content[0].type",
            "type 'input_file' is not taken",
        ),
        ({"input": [{"role": "user", "content": "x", "api_key": "k"}]}, "input[0].api_key", "remove it"),
    ],
)
def test_what_the_responses_route_does_not_take_is_refused_by_name(
    server: RunningServer, provider_emulator: ProviderEmulator, extra: dict[str, Any], param: str, says: str
) -> None:
    body = {"model": "support", "input": "hi", **extra}

    response = httpx.post(f"{server.base_url}/responses", json=body, timeout=10)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert says in error["message"]
    assert provider_emulator.request_count() == 0


def test_ignored_fields_are_named_in_the_header(client: openai.OpenAI) -> None:
    raw = client.responses.with_raw_response.create(
        model="support", input="hi", store=False, metadata={"a": "b"}, truncation="disabled"
    )

    assert raw.headers["x-llm-resolver-ignored"] == "metadata,store,truncation"


def test_a_stream_that_breaks_ends_with_a_failed_response(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.drop_mid_stream(after_chunks=2))

    with openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk:
        events = list(sdk.responses.create(model="support", input="hi", stream=True))

    assert events[-1].type == "response.failed"
    assert events[-1].response.error.code == "upstream_unreachable"  # type: ignore[union-attr]
    assert "completed" not in {e.type.rsplit(".", 1)[-1] for e in events}


# openai-agents, on its default path (the Responses API)


@function_tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Total(BaseModel):
    total: int


@pytest.mark.parametrize("streamed", [False, True])
async def test_an_agent_on_the_default_responses_path(
    server: RunningServer, provider_emulator: ProviderEmulator, streamed: bool
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("add", {"a": 2, "b": 3}, id="call_1")], chunks=2),
        Reply(text='{"total": 5}', chunks=3),
    )
    agent = Agent(name="calc", instructions="use the tool", model="support", tools=[add], output_type=Total)

    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk:
        config = RunConfig(model_provider=OpenAIProvider(openai_client=sdk), tracing_disabled=True)
        if streamed:
            run = Runner.run_streamed(agent, "2+3?", run_config=config)
            async for _ in run.stream_events():
                pass
            output = run.final_output
        else:
            output = (await Runner.run(agent, "2+3?", run_config=config)).final_output

    assert output == Total(total=5)
    assert all(r.path.endswith("/v1/chat/completions") for r in provider_emulator.requests)
    final = sent(provider_emulator)
    assert final["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": "5"}
    assert final["response_format"]["json_schema"]["schema"]["required"] == ["total"]
