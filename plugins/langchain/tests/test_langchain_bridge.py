"""LangChain's own runnables (invoke, stream, batch, bind_tools, with_structured_output, tools) over a
resolved LLM on the provider emulator: every answer crosses HTTP, with the spec's retries and fallback."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from llm_resolver_langchain import ResolverChatModel, ResolverEmbeddings
from PIL import Image
from pydantic import BaseModel

from llm_resolver import LLM, DependencySpec, LLMAuthenticationError, LLMBadRequestError
from llm_resolver.testing import Fault, ProviderEmulator, Reply, ToolCallSpec

Counts = Callable[[], dict[str, int]]


class City(BaseModel):
    """A city and how many people live there."""

    name: str
    population: int


@tool
def population(city: str) -> int:
    """How many people live in a city."""
    return {"Paris": 2_100_000}.get(city, 0)


def png_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_invoke_answers_with_usage_cost_and_the_answering_model(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts
) -> None:
    provider_emulator.script(Reply(text="Paris.", usage=(12, 3)))
    chat = ResolverChatModel(llm=llm)

    reply = chat.invoke([SystemMessage("Be brief."), HumanMessage("Capital of France?")])

    assert isinstance(reply, AIMessage)
    assert reply.content == "Paris."
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["input_tokens"] == 12
    assert reply.usage_metadata["output_tokens"] == 3
    assert reply.usage_metadata["total_tokens"] == 15
    meta = reply.response_metadata
    assert meta["model_name"] == "openai/gpt-4o-mini"
    assert meta["finish_reason"] == "stop"
    assert meta["cost_usd"] > 0
    assert [a["outcome"] for a in meta["attempts"]] == ["ok"]
    assert chat_counts() == {"openai": 1}
    sent = provider_emulator.requests[0].body or {}
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]


def test_stream_yields_deltas_and_a_last_chunk_with_usage_and_cost(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts
) -> None:
    provider_emulator.script(Reply(text="One, two, three.", usage=(8, 6), chunks=3))
    chunks = list(ResolverChatModel(llm=llm).stream("Count to three."))

    assert len([c for c in chunks if c.content]) == 3
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole += chunk
    assert whole.content == "One, two, three."
    assert chunks[-1].usage_metadata is not None
    assert chunks[-1].usage_metadata["total_tokens"] == 14
    assert whole.response_metadata["finish_reason"] == "stop"
    assert whole.response_metadata["cost_usd"] > 0
    assert chat_counts() == {"openai": 1}
    assert provider_emulator.requests[0].stream


async def test_astream_and_ainvoke(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(text="Streamed answer.", chunks=2), Reply(text="Plain answer."))
    chat = ResolverChatModel(llm=llm)

    pieces = [chunk async for chunk in chat.astream("stream please")]
    reply = await chat.ainvoke("answer please")

    assert "".join(str(p.content) for p in pieces) == "Streamed answer."
    assert pieces[-1].response_metadata["model_name"] == "openai/gpt-4o-mini"
    assert reply.content == "Plain answer."
    assert chat_counts() == {"openai": 2}


def test_batch(llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts) -> None:
    provider_emulator.default_reply = Reply(text="ok")

    replies = ResolverChatModel(llm=llm).batch(["a", "b", "c"], config={"max_concurrency": 1})

    assert [r.content for r in replies] == ["ok", "ok", "ok"]
    assert chat_counts() == {"openai": 3}


def test_two_step_tool_loop(llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"}, id="call_1")], usage=(20, 5)),
        Reply(text="About 2.1 million people live in Paris.", usage=(30, 9)),
    )
    chat = ResolverChatModel(llm=llm).bind_tools([population])
    history: list[BaseMessage] = [HumanMessage("How many people live in Paris?")]

    first = chat.invoke(history)
    assert isinstance(first, AIMessage)
    assert first.tool_calls == [
        {"name": "population", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    ]
    assert first.response_metadata["finish_reason"] == "tool_calls"
    history += [first, population.invoke(first.tool_calls[0])]
    answer = chat.invoke(history)

    assert answer.content == "About 2.1 million people live in Paris."
    assert chat_counts() == {"openai": 2}
    first_body, second_body = (r.body or {} for r in provider_emulator.requests)
    assert first_body["tools"][0]["function"]["name"] == "population"
    assert second_body["messages"][1]["tool_calls"][0]["function"]["name"] == "population"
    assert second_body["messages"][2] == {"role": "tool", "content": "2100000", "tool_call_id": "call_1"}


def test_streamed_tool_call_is_assembled(llm: LLM, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"}, id="call_9")]))
    chunks = list(ResolverChatModel(llm=llm).bind_tools([population], tool_choice="population").stream("?"))
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole += chunk

    assert whole.tool_calls == [
        {"name": "population", "args": {"city": "Paris"}, "id": "call_9", "type": "tool_call"}
    ]
    tool_choice = (provider_emulator.requests[0].body or {})["tool_choice"]
    assert tool_choice == {"type": "function", "function": {"name": "population"}}


def test_structured_output_by_json_schema(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts
) -> None:
    provider_emulator.script(Reply(text='{"name": "Paris", "population": 2100000}'))
    structured = ResolverChatModel(llm=llm).with_structured_output(City, method="json_schema")

    city = structured.invoke("Describe Paris.")

    assert city == City(name="Paris", population=2_100_000)
    response_format = (provider_emulator.requests[0].body or {})["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"]["required"] == ["name", "population"]
    assert chat_counts() == {"openai": 1}


def test_structured_output_by_function_calling_with_raw(
    llm: LLM, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(tool_calls=[ToolCallSpec("City", {"name": "Lyon", "population": 520000})]))
    structured = ResolverChatModel(llm=llm).with_structured_output(City, include_raw=True)

    out = structured.invoke("Describe Lyon.")

    assert isinstance(out, dict)
    assert out["parsed"] == City(name="Lyon", population=520_000)
    assert out["parsing_error"] is None
    assert out["raw"].usage_metadata["total_tokens"] > 0
    assert (provider_emulator.requests[0].body or {})["tool_choice"] == "required"


def test_image_input_reaches_the_provider(llm: LLM, provider_emulator: ProviderEmulator) -> None:
    data = png_data_url()
    message = HumanMessage(
        content=[
            {"type": "text", "text": "What colour is this?"},
            {"type": "image", "base64": data, "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
        ]
    )
    provider_emulator.script(Reply(text="Red."))

    assert ResolverChatModel(llm=llm).invoke([message]).content == "Red."
    parts = (provider_emulator.requests[0].body or {})["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "What colour is this?"}
    assert parts[1]["image_url"]["url"] == f"data:image/png;base64,{data}"
    assert parts[2]["image_url"] == {"url": "https://example.com/cat.png", "detail": "low"}


def test_a_503_is_retried(llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts) -> None:
    provider_emulator.script(Fault.server_error(503), Reply(text="Second time lucky."))

    reply = ResolverChatModel(llm=llm).invoke("hi")

    assert reply.content == "Second time lucky."
    assert [a["outcome"] for a in reply.response_metadata["attempts"]] == ["error", "ok"]
    assert chat_counts() == {"openai": 2}


def test_falls_back_to_another_provider(
    llm: LLM, provider_emulator: ProviderEmulator, chat_counts: Counts
) -> None:
    provider_emulator.script(
        Fault.server_error(503), Fault.server_error(503), Reply(text="From Claude.", usage=(9, 3))
    )

    reply = ResolverChatModel(llm=llm).invoke("hi")

    assert reply.content == "From Claude."
    assert reply.response_metadata["model_name"] == "anthropic/claude-haiku-4-5"
    assert reply.response_metadata["cost_usd"] > 0
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["total_tokens"] == 12
    assert chat_counts() == {"openai": 2, "anthropic": 1}


def test_typed_errors_reach_the_caller_unchanged(
    spec: DependencySpec, provider_emulator: ProviderEmulator
) -> None:
    alone = DependencySpec(class_name="litellm", properties={**spec.properties, "fallback_models": []})
    provider_emulator.script(Fault.auth())

    with pytest.raises(LLMAuthenticationError) as caught:
        ResolverChatModel.from_spec(alone).invoke("hi")
    assert caught.value.status_code == 401


def test_what_cannot_be_carried_is_refused_by_name_before_any_request(
    llm: LLM, provider_emulator: ProviderEmulator
) -> None:
    chat = ResolverChatModel(llm=llm)
    audio = HumanMessage(content=[{"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}])

    with pytest.raises(LLMBadRequestError, match="'audio' content blocks"):
        chat.invoke([audio])
    with pytest.raises(LLMBadRequestError, match="images in a tool result"):
        chat.invoke(
            [
                AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "c1"}]),
                ToolMessage(
                    content=[{"type": "image", "url": "https://example.com/a.png"}], tool_call_id="c1"
                ),
            ]
        )
    with pytest.raises(LLMBadRequestError, match="role 'critic'"):
        chat.invoke([ChatMessage(role="critic", content="Too long.")])
    with pytest.raises(LLMBadRequestError, match="unknown request option"):
        chat.invoke("hi", logit_bias_typo=1)
    assert provider_emulator.requests == []


def test_from_spec_resolves_the_same_llm(spec: DependencySpec, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="resolved"))

    assert ResolverChatModel.from_spec(spec).invoke("hi").content == "resolved"


async def test_embeddings(llm: LLM, provider_emulator: ProviderEmulator, litellm_async_clients: None) -> None:
    embeddings = ResolverEmbeddings(llm)

    assert embeddings.embed_documents(["a", "b"]) == [
        provider_emulator.embedding_for("a"),
        provider_emulator.embedding_for("b"),
    ]
    assert await embeddings.aembed_query("c") == provider_emulator.embedding_for("c")
