"""The rest of the OpenAI surface clients use: one model, legacy completions, token-array embeddings,
the developer role, validation as OpenAI does it, and ``x-request-id``."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from llm_resolver_openai_server import RunningServer, create_app

from llm_resolver import Dependencies
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import builtin_only, models, sent

HI = [{"role": "user", "content": "hi"}]


# GET /v1/models/{id}


def test_one_model_by_name(client: openai.OpenAI) -> None:
    model = client.models.retrieve("support")

    assert (model.id, model.object, model.owned_by) == ("support", "model", "llm-resolver")


def test_an_unknown_model_is_an_openai_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-5")

    assert caught.value.code == "model_not_found"
    assert caught.value.body == {
        "message": "model 'gpt-5' does not exist; this server has: claude, support",
        "type": "invalid_request_error",
        "code": "model_not_found",
        "param": "model",
    }


# POST /v1/completions


def test_a_legacy_completion(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="ships today", usage=(6, 2)))

    completion = client.completions.create(model="support", prompt="Where is my order?", max_tokens=20)

    assert [(c.index, c.text, c.finish_reason) for c in completion.choices] == [(0, "ships today", "stop")]
    assert completion.object == "text_completion"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (6, 2)  # type: ignore[union-attr]
    assert completion.model_extra["llm_resolver"]["cost_usd"] > 0  # type: ignore[index]
    body = sent(provider_emulator)
    assert (body["messages"], body["max_tokens"]) == ([{"role": "user", "content": "Where is my order?"}], 20)


def test_a_list_of_prompts_is_one_choice_each(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="first", usage=(1, 1)), Reply(text="second", usage=(2, 1)))

    completion = client.completions.create(model="support", prompt=["a", "b"])

    assert [(c.index, c.text) for c in completion.choices] == [(0, "first"), (1, "second")]
    assert completion.usage.total_tokens == 5  # type: ignore[union-attr]
    assert len(completion.model_extra["llm_resolver"]["attempts"]) == 2  # type: ignore[index]


async def test_a_streamed_legacy_completion_with_usage(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="one two three", chunks=3, usage=(3, 3)))

    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk:
        stream = await sdk.completions.create(
            model="support", prompt="count", stream=True, stream_options={"include_usage": True}
        )
        chunks = [chunk async for chunk in stream]

    assert "".join(c.choices[0].text for c in chunks if c.choices) == "one two three"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("extra", "param"),
    [({"suffix": "x"}, "suffix"), ({"echo": True}, "echo"), ({"n": 2}, "n"), ({"prompt": [1, 2]}, "prompt")],
)
def test_what_legacy_completions_do_not_take_is_refused(
    server: RunningServer, provider_emulator: ProviderEmulator, extra: dict[str, Any], param: str
) -> None:
    body = {"model": "support", "prompt": "hi", **extra}

    response = httpx.post(f"{server.base_url}/completions", json=body, timeout=10)

    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
    assert provider_emulator.request_count() == 0


# Embeddings: token arrays, as LangChain's OpenAIEmbeddings sends them by default


def test_token_arrays_are_decoded_with_the_models_tokenizer(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    hello_world, goodbye = [15339, 1917], [19045, 29474]  # cl100k_base, text-embedding-3-small's

    result = client.embeddings.create(model="support", input=[hello_world, goodbye])

    assert sent(provider_emulator)["input"] == ["hello world", "goodbye"]
    assert [d.embedding for d in result.data] == [
        pytest.approx(ProviderEmulator.embedding_for("hello world"), rel=1e-6),
        pytest.approx(ProviderEmulator.embedding_for("goodbye"), rel=1e-6),
    ]


def test_one_token_array_is_one_input(client: openai.OpenAI, provider_emulator: ProviderEmulator) -> None:
    client.embeddings.create(model="support", input=[15339, 1917], encoding_format="float")

    assert sent(provider_emulator)["input"] == ["hello world"]


def test_token_arrays_for_a_model_without_a_known_tokenizer_are_refused(
    provider_emulator: ProviderEmulator,
) -> None:
    spec = models(provider_emulator, embedding_model="gemini/gemini-embedding-001")
    deps = Dependencies.from_dict(spec, plugins=builtin_only(), env={})

    with RunningServer(create_app(deps)) as server:
        response = httpx.post(
            f"{server.base_url}/embeddings", json={"model": "support", "input": [[1, 2]]}, timeout=10
        )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "input"
    assert error["message"] == (
        "input: token arrays need the tokenizer of gemini/gemini-embedding-001, which this server "
        "does not know; send the text instead"
    )
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("given", [[[]], [[1, -2]], [[1], "a"], [1.5], []])
def test_malformed_embedding_input_is_refused(
    server: RunningServer, provider_emulator: ProviderEmulator, given: Any
) -> None:
    response = httpx.post(
        f"{server.base_url}/embeddings", json={"model": "support", "input": given}, timeout=10
    )

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "input"
    assert provider_emulator.request_count() == 0


# Chat: what newer SDKs send, and what OpenAI refuses


def test_the_developer_role_is_a_system_message(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    client.chat.completions.create(
        model="support",
        messages=[{"role": "developer", "content": "be brief"}, *HI],  # type: ignore[list-item]
    )

    assert sent(provider_emulator)["messages"][0] == {"role": "system", "content": "be brief"}


def test_null_optional_fields_are_unset(server: RunningServer, provider_emulator: ProviderEmulator) -> None:
    body = {"model": "support", "messages": HI, "n": None, "max_tokens": None, "stream_options": None}

    response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=10)

    assert response.status_code == 200, response.text
    assert set(sent(provider_emulator)) == {"model", "messages"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stream", "yes", "stream must be a boolean, not the string 'yes'"),
        ("max_tokens", -5, "max_tokens: input should be greater than 0"),
        ("max_tokens", "5", "max_tokens must be an integer, not the string '5'"),
        ("max_tokens", 2.5, "max_tokens must be an integer, not the number 2.5"),
        ("temperature", "0.5", "temperature must be a number, not the string '0.5'"),
        ("temperature", 9, "temperature: input should be less than or equal to 2"),
        ("seed", True, "seed must be an integer, not the boolean true"),
        ("tools", {"type": "function"}, "tools must be an array, not an object"),
        ("n", 0, "n must be 1: this server returns one choice"),
    ],
)
def test_what_openai_refuses_is_refused_in_one_sentence(
    server: RunningServer, provider_emulator: ProviderEmulator, field: str, value: Any, message: str
) -> None:
    body = {"model": "support", "messages": HI, field: value}

    response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=10)

    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": message, "type": "invalid_request_error", "param": field, "code": None}
    }
    assert provider_emulator.request_count() == 0


def test_a_bad_message_is_one_sentence_naming_where(server: RunningServer) -> None:
    body = {"model": "support", "messages": [{"role": "wizard", "content": "x"}]}

    error = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=10).json()["error"]

    assert error["param"] == "messages"
    assert error["message"] == ("messages[0].role: input should be 'system', 'user', 'assistant' or 'tool'")


# x-request-id


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/models"), ("GET", "/healthz"), ("GET", "/v1/nowhere"), ("POST", "/v1/chat/completions")],
)
def test_every_response_has_a_request_id(server: RunningServer, method: str, path: str) -> None:
    base = server.base_url.removesuffix("/v1")
    body = {"model": "support", "messages": HI} if method == "POST" else None

    first = httpx.request(method, f"{base}{path}", json=body, timeout=10)
    second = httpx.request(method, f"{base}{path}", json=body, timeout=10)

    assert first.headers["x-request-id"].startswith("req_")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_the_sdk_sees_the_request_id_of_errors_and_streams(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-5", messages=HI)  # type: ignore[arg-type]
    stream = client.chat.completions.create(model="support", messages=HI, stream=True)  # type: ignore[arg-type]

    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req_")
    assert stream.response.headers["x-request-id"].startswith("req_")
    stream.close()


@pytest.mark.parametrize(
    ("given", "echoed"),
    [
        ("trace-42.a:b_c", True),
        ("x" * 129, False),
        ("has space", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_client_request_id_is_echoed_only_when_safe(
    server: RunningServer, given: str, echoed: bool
) -> None:
    response = httpx.get(f"{server.base_url}/models", headers={"X-Request-Id": given}, timeout=10)

    assert (response.headers["x-request-id"] == given) is echoed
