"""PydanticAI's own agent loop (Agent.run / run_sync / run_stream, function tools, output types) over a
resolved LLM on the provider emulator: every answer crosses HTTP, with the spec's retries and fallback."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from llm_resolver_pydantic_ai import ResolverModel
from PIL import Image
from pydantic import BaseModel
from pydantic_ai import Agent, AudioUrl, BinaryContent, ImageUrl, NativeOutput, PromptedOutput
from pydantic_ai.messages import ModelResponse

from llm_resolver import LLM, DependencySpec, LLMAuthenticationError, LLMBadRequestError
from llm_resolver.testing import Fault, ProviderEmulator, Reply, ToolCallSpec

Counts = Callable[[], dict[str, int]]


class City(BaseModel):
    """A city and how many people live there."""

    name: str
    population: int


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def bodies(emulator: ProviderEmulator) -> list[dict[str, Any]]:
    return [r.body or {} for r in emulator.requests if r.kind == "chat"]


def responses(messages: list[Any]) -> list[ModelResponse]:
    return [m for m in messages if isinstance(m, ModelResponse)]


def population_agent(llm: LLM, **kwargs: Any) -> Agent[None, Any]:
    agent: Agent[None, Any] = Agent(ResolverModel(llm), instructions="Answer in one sentence.", **kwargs)

    @agent.tool_plain
    def population(city: str) -> int:
        """How many people live in a city."""
        return {"Paris": 2_100_000}.get(city, 0)

    return agent


def test_run_sync_answers_with_usage_cost_and_the_answering_model(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts
) -> None:
    provider_emulator.script(Reply(text="Paris.", usage=(12, 3)))

    result = Agent(ResolverModel(llm), instructions="Be brief.").run_sync("Capital of France?")

    assert result.output == "Paris."
    usage = result.usage
    assert (usage.input_tokens, usage.output_tokens, usage.requests) == (12, 3, 1)
    (response,) = responses(result.all_messages())
    assert response.model_name == "openai/gpt-4o-mini"
    assert response.finish_reason == "stop"
    assert response.provider_details is not None
    assert response.provider_details["cost_usd"] > 0
    assert chat_counts() == {"openai": 1}
    sent = bodies(provider_emulator)[0]["messages"]
    assert sent == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of France?"},
    ]


async def test_run_stream_streams_text_and_reports_usage(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(text="One, two, three.", usage=(8, 6), chunks=3))
    agent = Agent(ResolverModel(llm))

    async with agent.run_stream("Count to three.") as run:
        deltas = [delta async for delta in run.stream_text(delta=True, debounce_by=None)]
    usage = run.usage

    assert "".join(deltas) == "One, two, three."
    assert len(deltas) == 3
    assert (usage.input_tokens, usage.output_tokens) == (8, 6)
    (response,) = responses(run.all_messages())
    assert response.model_name == "openai/gpt-4o-mini"
    assert response.provider_details is not None
    assert response.provider_details["cost_usd"] > 0
    assert chat_counts() == {"openai": 1}
    assert provider_emulator.requests[0].stream


def test_two_step_tool_loop(llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"}, id="call_1")], usage=(20, 5)),
        Reply(text="About 2.1 million people live in Paris.", usage=(30, 9)),
    )

    result = population_agent(llm).run_sync("How many people live in Paris?")

    assert result.output == "About 2.1 million people live in Paris."
    usage = result.usage
    assert (usage.input_tokens, usage.output_tokens, usage.requests, usage.tool_calls) == (50, 14, 2, 1)
    assert (
        sum(r.provider_details["cost_usd"] for r in responses(result.all_messages()) if r.provider_details)
        > 0
    )
    assert chat_counts() == {"openai": 2}
    first, second = bodies(provider_emulator)
    assert first["tools"][0]["function"]["name"] == "population"
    assert second["messages"][2]["tool_calls"][0]["function"]["name"] == "population"
    assert second["messages"][3] == {"role": "tool", "content": "2100000", "tool_call_id": "call_1"}


async def test_async_run_with_tools_and_an_output_type(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"}, id="call_1")]),
        Reply(
            tool_calls=[ToolCallSpec("final_result", {"name": "Paris", "population": 2100000}, id="call_2")]
        ),
    )

    result = await population_agent(llm, output_type=City).run("Describe Paris.")

    assert result.output == City(name="Paris", population=2_100_000)
    assert chat_counts() == {"openai": 2}
    offered = {t["function"]["name"] for t in bodies(provider_emulator)[0]["tools"]}
    assert offered == {"population", "final_result"}
    assert bodies(provider_emulator)[0]["tool_choice"] == "required"


def test_native_structured_output(llm: LLM, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text='{"name": "Paris", "population": 2100000}'))

    result = Agent(ResolverModel(llm), output_type=NativeOutput(City)).run_sync("Describe Paris.")

    assert result.output == City(name="Paris", population=2_100_000)
    (body,) = bodies(provider_emulator)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["name", "population"]
    assert "tools" not in body


def test_prompted_structured_output(llm: LLM, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text='{"name": "Lyon", "population": 520000}'))

    result = Agent(ResolverModel(llm), output_type=PromptedOutput(City)).run_sync("Describe Lyon.")

    assert result.output == City(name="Lyon", population=520_000)
    (body,) = bodies(provider_emulator)
    assert "response_format" not in body
    assert '"population"' in body["messages"][0]["content"]


def test_image_input_reaches_the_provider(llm: LLM, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="Red."))
    image = BinaryContent(data=png(), media_type="image/png")

    result = Agent(ResolverModel(llm)).run_sync(
        [
            "What colour is this?",
            image,
            ImageUrl(url="https://example.com/cat.png", vendor_metadata={"detail": "low"}),
        ]
    )

    assert result.output == "Red."
    parts = bodies(provider_emulator)[0]["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "What colour is this?"}
    assert parts[1]["image_url"]["url"] == image.data_uri
    assert parts[2]["image_url"] == {"url": "https://example.com/cat.png", "detail": "low"}


def test_a_503_is_retried(llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts) -> None:
    provider_emulator.script(Fault.server_error(503), Reply(text="Second time lucky."))

    result = Agent(ResolverModel(llm)).run_sync("hi")

    assert result.output == "Second time lucky."
    (response,) = responses(result.all_messages())
    assert response.provider_details is not None
    assert [a["outcome"] for a in response.provider_details["attempts"]] == ["error", "ok"]
    assert result.usage.requests == 1  # one model request for PydanticAI; two HTTP requests
    assert chat_counts() == {"openai": 2}


def test_falls_back_to_another_provider(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts
) -> None:
    provider_emulator.script(
        Fault.server_error(503), Fault.server_error(503), Reply(text="From Claude.", usage=(9, 3))
    )

    result = Agent(ResolverModel(llm)).run_sync("hi")

    assert result.output == "From Claude."
    (response,) = responses(result.all_messages())
    assert response.model_name == "anthropic/claude-haiku-4-5"
    assert response.provider_name == "anthropic"
    assert response.provider_details is not None
    assert response.provider_details["cost_usd"] > 0
    assert (result.usage.input_tokens, result.usage.output_tokens) == (9, 3)
    assert chat_counts() == {"openai": 2, "anthropic": 1}


def test_typed_errors_reach_the_caller_unchanged(
    spec: DependencySpec, provider_emulator: ProviderEmulator
) -> None:
    alone = DependencySpec(class_name="litellm", properties={**spec.properties, "fallback_models": []})
    provider_emulator.script(Fault.auth())

    with pytest.raises(LLMAuthenticationError) as caught:
        Agent(ResolverModel(alone.to_resolver(env={}).get_or_resolve())).run_sync("hi")
    assert caught.value.status_code == 401


def test_what_cannot_be_carried_is_refused_by_name_before_any_request(
    llm: LLM, provider_emulator: ProviderEmulator
) -> None:
    agent = Agent(ResolverModel(llm))

    with pytest.raises(LLMBadRequestError, match="'audio-url' user content"):
        agent.run_sync(["Transcribe this.", AudioUrl(url="https://example.com/a.mp3")])
    with pytest.raises(LLMBadRequestError, match="the model setting 'extra_headers'"):
        agent.run_sync("hi", model_settings={"extra_headers": {"x": "y"}})
    assert provider_emulator.requests == []


def test_model_settings_become_request_fields(llm: LLM, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="ok"))

    Agent(ResolverModel(llm)).run_sync(
        "hi", model_settings={"temperature": 0.2, "max_tokens": 50, "top_k": 3}
    )

    body = bodies(provider_emulator)[0]
    assert (body["temperature"], body["max_tokens"]) == (0.2, 50)


async def test_streamed_tool_loop(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"}, id="call_1")]),
        Reply(text="About 2.1 million.", chunks=2),
    )

    async with population_agent(llm).run_stream("How many people live in Paris?") as run:
        text = await run.get_output()

    assert text == "About 2.1 million."
    assert run.usage.tool_calls == 1
    assert chat_counts() == {"openai": 2}
    assert all(r.stream for r in provider_emulator.requests)
    assert bodies(provider_emulator)[1]["messages"][3]["content"] == "2100000"
