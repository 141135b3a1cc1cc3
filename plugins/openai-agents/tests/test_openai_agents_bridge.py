"""The Agents SDK's own loop (Runner.run / run_sync / run_streamed, function tools, handoffs, output
types) over a resolved LLM on the provider emulator: every answer crosses HTTP, with the spec's
retries and fallback. Tracing is off per run (RunConfig), never globally."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import pytest
from agents import Agent, ModelSettings, RunConfig, Runner, WebSearchTool, function_tool
from llm_resolver_openai_agents import ResolverModel, ResolverModelProvider
from openai.types.responses import ResponseTextDeltaEvent
from PIL import Image
from pydantic import BaseModel

from llm_resolver import LLM, DependencySpec, LLMAuthenticationError, LLMBadRequestError, SpecError
from llm_resolver.testing import Fault, ProviderEmulator, Reply, ToolCallSpec

Counts = Callable[[], dict[str, int]]
QUIET = RunConfig(tracing_disabled=True)
METERED = RunConfig(tracing_disabled=True, model_settings=ModelSettings(preserve_raw_usage=True))


class City(BaseModel):
    name: str
    population: int


@function_tool
def population(city: str) -> int:
    """How many people live in a city."""
    return {"Paris": 2_100_000}.get(city, 0)


def bodies(emulator: ProviderEmulator) -> list[dict[str, Any]]:
    return [r.body or {} for r in emulator.requests if r.kind == "chat"]


def png_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def test_run_answers_with_usage_cost_and_the_answering_model(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(text="Paris.", usage=(12, 3)))
    agent = Agent(name="geo", instructions="Be brief.", model=ResolverModel(llm))

    result = await Runner.run(agent, "Capital of France?", run_config=METERED)

    assert result.final_output == "Paris."
    usage = result.context_wrapper.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens, usage.total_tokens) == (1, 12, 3, 15)
    (raw,) = result.raw_responses
    assert raw.raw_usage is not None
    assert raw.raw_usage["cost_usd"] > 0
    assert raw.raw_usage["model"] == "openai/gpt-4o-mini"
    assert raw.output[0].provider_data["model"] == "openai/gpt-4o-mini"  # type: ignore[union-attr]
    assert chat_counts() == {"openai": 1}
    assert bodies(provider_emulator)[0]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of France?"},
    ]


def test_run_sync(llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts) -> None:
    provider_emulator.script(Reply(text="Sync answer."))

    result = Runner.run_sync(Agent(name="a", model=ResolverModel(llm)), "hi", run_config=QUIET)

    assert result.final_output == "Sync answer."
    assert result.raw_responses[0].raw_usage is None  # kept only when preserve_raw_usage is on
    assert chat_counts() == {"openai": 1}


async def test_run_streamed_streams_text_and_reports_usage(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(text="One, two, three.", usage=(8, 6), chunks=3))
    agent = Agent(name="counter", model=ResolverModel(llm))

    run = Runner.run_streamed(agent, "Count to three.", run_config=METERED)
    deltas = [
        event.data.delta
        async for event in run.stream_events()
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent)
    ]

    assert "".join(deltas) == "One, two, three."
    assert len(deltas) == 3
    assert run.final_output == "One, two, three."
    usage = run.context_wrapper.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (1, 8, 6)
    (raw,) = run.raw_responses
    assert raw.raw_usage is not None
    assert raw.raw_usage["cost_usd"] > 0
    assert chat_counts() == {"openai": 1}
    assert provider_emulator.requests[0].stream


async def test_two_step_tool_loop(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"}, id="call_1")], usage=(20, 5)),
        Reply(text="About 2.1 million people live in Paris.", usage=(30, 9)),
    )
    agent = Agent(name="geo", model=ResolverModel(llm), tools=[population])

    result = await Runner.run(agent, "How many people live in Paris?", run_config=METERED)

    assert result.final_output == "About 2.1 million people live in Paris."
    usage = result.context_wrapper.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (2, 50, 14)
    assert sum(r.raw_usage["cost_usd"] for r in result.raw_responses if r.raw_usage) > 0
    assert chat_counts() == {"openai": 2}
    first, second = bodies(provider_emulator)
    assert first["tools"][0]["function"]["name"] == "population"
    assert second["messages"][1]["tool_calls"][0]["function"]["name"] == "population"
    assert second["messages"][2] == {"role": "tool", "content": "2100000", "tool_call_id": "call_1"}


async def test_streamed_tool_loop(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"}, id="call_1")]),
        Reply(text="About 2.1 million.", chunks=2),
    )
    run = Runner.run_streamed(
        Agent(name="geo", model=ResolverModel(llm), tools=[population]), "Paris?", run_config=QUIET
    )
    async for _ in run.stream_events():
        pass

    assert run.final_output == "About 2.1 million."
    assert chat_counts() == {"openai": 2}
    assert bodies(provider_emulator)[1]["messages"][2]["content"] == "2100000"


async def test_handoff_is_a_tool_and_the_other_agent_answers(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("transfer_to_french_agent", {}, id="call_h")]),
        Reply(text="Bonjour !"),
    )
    french = Agent(name="French agent", instructions="Reply in French.", model=ResolverModel(llm))
    triage = Agent(name="Triage", model=ResolverModel(llm), handoffs=[french])

    result = await Runner.run(triage, "Say hello in French.", run_config=QUIET)

    assert result.final_output == "Bonjour !"
    assert result.last_agent is french
    assert chat_counts() == {"openai": 2}
    first, second = bodies(provider_emulator)
    assert first["tools"][0]["function"]["name"] == "transfer_to_french_agent"
    assert second["messages"][0] == {"role": "system", "content": "Reply in French."}


async def test_structured_output(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(text='{"name": "Paris", "population": 2100000}'))
    agent = Agent(name="geo", model=ResolverModel(llm), output_type=City)

    result = await Runner.run(agent, "Describe Paris.", run_config=QUIET)

    assert result.final_output == City(name="Paris", population=2_100_000)
    response_format = bodies(provider_emulator)[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"]["required"] == ["name", "population"]


async def test_image_input_reaches_the_provider(
    llm: LLM, provider_emulator: ProviderEmulator, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(text="Red."))
    image = png_data_url()
    message: Any = {
        "role": "user",
        "content": [
            {"type": "input_text", "text": "What colour is this?"},
            {"type": "input_image", "image_url": image, "detail": "low"},
        ],
    }

    result = await Runner.run(Agent(name="eye", model=ResolverModel(llm)), [message], run_config=QUIET)

    assert result.final_output == "Red."
    parts = bodies(provider_emulator)[0]["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "What colour is this?"}
    assert parts[1]["image_url"] == {"url": image, "detail": "low"}


async def test_a_503_is_retried(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Fault.server_error(503), Reply(text="Second time lucky."))

    result = await Runner.run(Agent(name="a", model=ResolverModel(llm)), "hi", run_config=METERED)

    assert result.final_output == "Second time lucky."
    assert result.context_wrapper.usage.requests == 1  # one model call for the SDK; two HTTP requests
    raw_usage = result.raw_responses[0].raw_usage
    assert raw_usage is not None
    assert [a["outcome"] for a in raw_usage["attempts"]] == ["error", "ok"]
    assert chat_counts() == {"openai": 2}


async def test_falls_back_to_another_provider(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(
        Fault.server_error(503), Fault.server_error(503), Reply(text="From Claude.", usage=(9, 3))
    )

    result = await Runner.run(Agent(name="a", model=ResolverModel(llm)), "hi", run_config=METERED)

    assert result.final_output == "From Claude."
    (raw,) = result.raw_responses
    assert raw.output[0].provider_data["model"] == "anthropic/claude-haiku-4-5"  # type: ignore[union-attr]
    assert raw.raw_usage is not None
    assert raw.raw_usage["cost_usd"] > 0
    assert (result.context_wrapper.usage.input_tokens, result.context_wrapper.usage.output_tokens) == (9, 3)
    assert chat_counts() == {"openai": 2, "anthropic": 1}


async def test_streamed_fallback_names_the_answering_model(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Fault.server_error(503), Fault.server_error(503), Reply(text="From Claude."))

    run = Runner.run_streamed(Agent(name="a", model=ResolverModel(llm)), "hi", run_config=QUIET)
    async for _ in run.stream_events():
        pass

    assert run.final_output == "From Claude."
    assert run.raw_responses[0].output[0].provider_data["model"] == "anthropic/claude-haiku-4-5"  # type: ignore[union-attr]
    assert chat_counts() == {"openai": 2, "anthropic": 1}


async def test_typed_errors_reach_the_caller_unchanged(
    spec: DependencySpec, provider_emulator: ProviderEmulator, litellm_async_clients: None
) -> None:
    alone = DependencySpec(class_name="litellm", properties={**spec.properties, "fallback_models": []})
    provider_emulator.script(Fault.auth())
    agent = Agent(name="a", model=ResolverModel(alone.to_resolver(env={}).get_or_resolve()))

    with pytest.raises(LLMAuthenticationError) as caught:
        await Runner.run(agent, "hi", run_config=QUIET)
    assert caught.value.status_code == 401


async def test_what_cannot_be_carried_is_refused_by_name_before_any_request(
    llm: LLM, provider_emulator: ProviderEmulator
) -> None:
    hosted = Agent(name="a", model=ResolverModel(llm), tools=[WebSearchTool()])
    with pytest.raises(LLMBadRequestError, match="hosted tool WebSearchTool"):
        await Runner.run(hosted, "hi", run_config=QUIET)

    headers = Agent(
        name="a", model=ResolverModel(llm), model_settings=ModelSettings(extra_headers={"x": "y"})
    )
    with pytest.raises(LLMBadRequestError, match="the model setting extra_headers"):
        await Runner.run(headers, "hi", run_config=QUIET)
    assert provider_emulator.requests == []


async def test_model_provider_serves_named_llms(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(text="From the provider."))
    provider = ResolverModelProvider({"support": llm})
    config = RunConfig(model_provider=provider, tracing_disabled=True)

    result = await Runner.run(Agent(name="a", model="support"), "hi", run_config=config)

    assert result.final_output == "From the provider."
    assert chat_counts() == {"openai": 1}
    with pytest.raises(SpecError, match="'gpt-4o'"):
        provider.get_model("gpt-4o")
