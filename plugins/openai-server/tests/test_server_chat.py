"""OpenAI clients against the server, the server against the emulator: chat, streams, tools, embeddings."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import openai
import pytest
from llm_resolver_openai_server import RunningServer, create_app

from llm_resolver import Dependencies, Scope
from llm_resolver.testing import ProviderEmulator, Reply, ToolCallSpec

from .conftest import UPSTREAM_KEY, builtin_only, models


def test_a_chat_completion(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="Hello there", usage=(11, 2)))

    reply = client.chat.completions.create(model="support", messages=[{"role": "user", "content": "hi"}])

    assert reply.choices[0].message.content == "Hello there"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model == "support"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (11, 2)  # type: ignore[union-attr]
    extras = reply.model_extra["llm_resolver"]  # type: ignore[index]
    assert extras["model"] == "openai/gpt-4o-mini"
    assert extras["cost_usd"] > 0
    assert [a["outcome"] for a in extras["attempts"]] == ["ok"]
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["messages"] == [{"role": "user", "content": "hi"}]


def test_parameters_reach_the_provider(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    client.chat.completions.create(
        model="support",
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
        temperature=0.2,
        max_completion_tokens=50,
        stop=["END"],
        seed=7,
        presence_penalty=0.5,
        user="u-1",
    )

    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert (sent["temperature"], sent["max_tokens"], sent["stop"], sent["seed"]) == (0.2, 50, ["END"], 7)
    assert sent["presence_penalty"] == 0.5  # no ChatRequest field: passed on as a provider option


def test_a_stream_with_its_usage_chunk(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="one two three four", chunks=4, usage=(9, 4)))

    chunks = list(
        client.chat.completions.create(
            model="support",
            messages=[{"role": "user", "content": "count"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )

    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "one two three four"
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == [
        "stop"
    ]
    assert chunks[-1].choices == []
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (9, 4)  # type: ignore[union-attr]
    assert len({c.id for c in chunks}) == 1


async def test_the_async_client_streams_from_anthropic(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="bonjour tout le monde", chunks=3))

    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as sdk:
        stream = await sdk.chat.completions.create(
            model="claude", messages=[{"role": "user", "content": "salut"}], stream=True
        )
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    assert text == "bonjour tout le monde"
    assert provider_emulator.requests[-1].path.endswith("/v1/messages")


def test_a_tool_round_trip(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("add", {"a": 2, "b": 3}, id="call_1")]), Reply(text="5")
    )
    tools = [
        {
            "type": "function",
            "function": {
                "name": "add",
                "parameters": {
                    "type": "object",
                    "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                    "required": ["a", "b"],
                },
            },
        }
    ]
    messages: list[dict[str, object]] = [{"role": "user", "content": "2+3?"}]

    first = client.chat.completions.create(model="support", messages=messages, tools=tools)  # type: ignore[arg-type]
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "5"},
    ]
    second = client.chat.completions.create(model="support", messages=messages, tools=tools)  # type: ignore[arg-type]

    assert first.choices[0].finish_reason == "tool_calls"
    assert (call.id, call.function.name, json.loads(call.function.arguments)) == (
        "call_1",
        "add",
        {"a": 2, "b": 3},
    )  # type: ignore[union-attr]
    assert second.choices[0].message.content == "5"
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["tools"][0]["function"]["name"] == "add"
    assert sent["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": "5"}


def image_message(url: str) -> Any:
    return [
        {
            "role": "user",
            "content": [{"type": "text", "text": "what?"}, {"type": "image_url", "image_url": {"url": url}}],
        }
    ]


def test_images_reach_the_provider_from_allowed_hosts_only(provider_emulator: ProviderEmulator) -> None:
    vision = {"allow_remote": ["example.com"]}
    deps = Dependencies.from_dict(models(provider_emulator, vision=vision), plugins=builtin_only(), env={})
    with (
        RunningServer(create_app(deps)) as server,
        openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk,
    ):
        sdk.chat.completions.create(model="support", messages=image_message("https://example.com/cat.png"))
        with pytest.raises(openai.BadRequestError, match=r"host 'internal\.invalid' are not allowed"):
            sdk.chat.completions.create(
                model="support", messages=image_message("https://internal.invalid/a.png")
            )

    assert provider_emulator.request_count() == 1
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["messages"][0]["content"][1]["image_url"]["url"] == "https://example.com/cat.png"


def test_embeddings(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    result = client.embeddings.create(model="support", input=["alpha", "beta"])

    assert [d.embedding for d in result.data] == [
        pytest.approx(ProviderEmulator.embedding_for("alpha")),
        pytest.approx(ProviderEmulator.embedding_for("beta")),
    ]
    assert result.usage.prompt_tokens > 0


def test_models_are_the_specs_names(client: openai.OpenAI) -> None:
    assert sorted(m.id for m in client.models.list()) == ["claude", "support"]


def test_the_scope_header_meters_per_scope(client: openai.OpenAI, deps: Dependencies) -> None:
    for scope in ("acme/support/triage", "acme/support/triage", "globex"):
        client.chat.completions.create(
            model="support",
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"X-LLM-Scope": scope},
        )

    meter = deps.resolver("support").meter  # type: ignore[attr-defined]
    assert meter.totals(Scope(org="acme", guild="support", agent="triage")).calls == 2
    assert meter.totals(Scope(org="globex")).calls == 1


def test_a_client_that_leaves_a_stream_closes_the_providers_stream(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text=" ".join(f"w{i}" for i in range(50)), chunks=50, chunk_delay=0.1))
    body = {"model": "support", "messages": [{"role": "user", "content": "long"}], "stream": True}

    with httpx.stream("POST", f"{server.base_url}/chat/completions", json=body, timeout=10) as response:
        assert response.status_code == 200
        next(response.iter_lines())

    deadline = time.monotonic() + 5
    while provider_emulator.open_streams and time.monotonic() < deadline:
        time.sleep(0.05)
    assert provider_emulator.open_streams == 0
    assert provider_emulator.abandoned_streams == 1


def test_secrets_stay_out_of_replies(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    reply = client.chat.completions.create(model="support", messages=[{"role": "user", "content": "hi"}])

    assert UPSTREAM_KEY not in reply.model_dump_json()
