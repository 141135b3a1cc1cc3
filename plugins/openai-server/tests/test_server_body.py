"""The body is an allow-list: fields the server acts on, fields it reports as ignored, and the rest
refused by name before anything reaches a provider (or an address a client named)."""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from llm_resolver_openai_server import RunningServer, create_app

from llm_resolver import Dependencies
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import UPSTREAM_KEY, builtin_only, models

HI = [{"role": "user", "content": "hi"}]
CHAT = {"model": "support", "messages": HI}
EMBED = {"model": "support", "input": ["alpha", "beta"]}


def post(server: RunningServer, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.base_url}/{path}", json=body, timeout=10)


def refused(response: httpx.Response, param: str) -> str:
    """The error's message, once it is a 400 naming ``param``."""
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert param in error["message"]
    return str(error["message"])


class Listener:
    """A plain TCP listener on 127.0.0.1 that records whatever anyone sends it, then hangs up."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/v1"
        self.received: list[bytes] = []
        self._open = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._open:
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    self.received.append(connection.recv(65536))
                except TimeoutError:
                    self.received.append(b"")

    def close(self) -> None:
        self._open = False
        self._thread.join(5)
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    attacker = Listener()
    yield attacker
    attacker.close()


@pytest.mark.parametrize("field", ["api_base", "base_url"])
@pytest.mark.parametrize("path", ["chat/completions", "embeddings"])
def test_an_endpoint_in_the_body_reaches_no_one(
    server: RunningServer, provider_emulator: ProviderEmulator, listener: Listener, field: str, path: str
) -> None:
    body = {**(CHAT if path == "chat/completions" else EMBED), field: listener.url}

    response = post(server, path, body)

    assert "is not a field this server takes" in refused(response, field)
    assert listener.received == []
    assert provider_emulator.request_count() == 0
    assert UPSTREAM_KEY not in response.text


def test_the_sdks_extra_body_is_refused_too(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, listener: Listener
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="support", messages=HI, extra_body={"api_base": listener.url})  # type: ignore[arg-type]

    assert caught.value.param == "api_base"
    assert listener.received == []
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("api_key", "sk-attacker-0123456789abcdef"),
        ("extra_headers", {"Authorization": "Bearer x"}),
        ("headers", {"X-Evil": "1"}),
        ("custom_llm_provider", "ollama"),
        ("num_retries", 50),
        ("max_retries", 50),
        ("timeout", 0.001),
        ("mock_response", "owned"),
        ("input_cost_per_token", 0),
        ("output_cost_per_token", 0),
        ("callbacks", ["x"]),
        ("logprobs", True),
        ("top_logprobs", 3),
        ("modalities", ["audio"]),
        ("prediction", {"type": "content", "content": "x"}),
    ],
)
def test_every_other_chat_field_is_refused_by_name(
    server: RunningServer, provider_emulator: ProviderEmulator, field: str, value: Any
) -> None:
    message = refused(post(server, "chat/completions", {**CHAT, field: value}), field)

    assert message.startswith(f"'{field}' is not a field this server takes; remove it (it takes: ")
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("field", "instead"), [("functions", "send tools instead"), ("function_call", "send tool_choice instead")]
)
def test_the_deprecated_function_fields_point_to_tools(
    server: RunningServer, provider_emulator: ProviderEmulator, field: str, instead: str
) -> None:
    value: Any = [{"name": "f", "parameters": {}}] if field == "functions" else "auto"

    message = refused(post(server, "chat/completions", {**CHAT, field: value}), field)

    assert message == f"{field} is deprecated and not taken; {instead}"
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [
        (
            "stream_options",
            {"include_usage": True, "include_obfuscation": False},
            "stream_options.include_obfuscation",
        ),
        ("stream_options", {"include_usage": "yes"}, "stream_options.include_usage"),
        ("stream", "yes", "stream"),
        ("user", 42, "user"),
        ("max_completion_tokens", "many", "max_completion_tokens"),
        ("frequency_penalty", "high", "frequency_penalty"),
        ("parallel_tool_calls", "no", "parallel_tool_calls"),
        ("logit_bias", {"50256": "ban"}, "logit_bias"),
        ("temperature", "hot", "temperature"),
        ("n", True, "n"),
    ],
)
def test_a_taken_field_with_a_wrong_value_is_refused_by_name(
    server: RunningServer, provider_emulator: ProviderEmulator, field: str, value: Any, param: str
) -> None:
    body = {**CHAT, "stream": True, field: value} if field.startswith("stream") else {**CHAT, field: value}

    refused(post(server, "chat/completions", body), param)
    assert provider_emulator.request_count() == 0


def test_null_means_unset(server: RunningServer, provider_emulator: ProviderEmulator) -> None:
    nulls = ("temperature", "stop", "n", "stream", "stream_options", "tools", "user", "store", "api_base")
    response = post(server, "chat/completions", {**CHAT, **dict.fromkeys(nulls)})

    assert response.status_code == 200, response.text
    assert wire_ignored(response) is None
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert set(sent) == {"model", "messages"}


def wire_ignored(response: httpx.Response) -> str | None:
    return response.headers.get("x-llm-resolver-ignored")


@pytest.mark.parametrize("stream", [False, True])
def test_ignored_fields_are_named_in_a_header_and_not_sent(
    server: RunningServer, provider_emulator: ProviderEmulator, stream: bool
) -> None:
    ignored = {
        "store": True,
        "metadata": {"team": "a"},
        "service_tier": "flex",
        "prompt_cache_key": "k",
        "safety_identifier": "u",
    }

    response = post(server, "chat/completions", {**CHAT, **ignored, "stream": stream})

    assert response.status_code == 200
    assert wire_ignored(response) == "metadata,prompt_cache_key,safety_identifier,service_tier,store"
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert not set(ignored) & set(sent)


def test_openai_parameters_without_a_request_field_reach_the_provider(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}

    raw = client.chat.completions.with_raw_response.create(
        model="support",
        messages=HI,  # type: ignore[arg-type]
        frequency_penalty=0.3,
        presence_penalty=-0.5,
        logit_bias={"50256": -100},
        parallel_tool_calls=False,
        tools=[tool],  # type: ignore[list-item]
        tool_choice="auto",
        max_tokens=20,
    )

    assert raw.headers.get("x-llm-resolver-ignored") is None
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert (sent["frequency_penalty"], sent["presence_penalty"]) == (0.3, -0.5)
    assert (sent["logit_bias"], sent["parallel_tool_calls"]) == ({"50256": -100}, False)
    assert (sent["tool_choice"], sent["max_tokens"]) == ("auto", 20)


def test_reasoning_effort_reaches_a_reasoning_model(provider_emulator: ProviderEmulator) -> None:
    deps = Dependencies.from_dict(
        models(provider_emulator, model="openai/o4-mini"), plugins=builtin_only(), env={}
    )

    with (
        RunningServer(create_app(deps)) as server,
        openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk,
    ):
        sdk.chat.completions.create(model="support", messages=HI, reasoning_effort="low")  # type: ignore[arg-type]

    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["reasoning_effort"] == "low"


def test_the_sdk_streams_through_the_allow_list(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="a b c", chunks=3))

    chunks = client.chat.completions.create(
        model="support",
        messages=HI,
        stream=True,
        stream_options={"include_usage": True},
        user="u-1",  # type: ignore[arg-type]
    )

    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "a b c"


# Embeddings


def test_the_sdks_default_base64_embeddings_decode_to_the_vectors(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    raw = client.embeddings.with_raw_response.create(model="support", input=["alpha", "beta"])

    assert json.loads(raw.http_request.content)["encoding_format"] == "base64"  # the SDK's default
    sent_back = raw.http_response.json()["data"][0]["embedding"]
    assert isinstance(sent_back, str)  # base64 on the wire, as the SDK asked
    result = raw.parse()
    assert [d.embedding for d in result.data] == [
        pytest.approx(ProviderEmulator.embedding_for("alpha"), rel=1e-6),
        pytest.approx(ProviderEmulator.embedding_for("beta"), rel=1e-6),
    ]


def test_base64_embeddings_are_little_endian_float32(server: RunningServer) -> None:
    response = post(server, "embeddings", {**EMBED, "encoding_format": "base64"})

    packed = base64.b64decode(response.json()["data"][1]["embedding"])
    vector = struct.unpack(f"<{len(packed) // 4}f", packed)
    assert vector == pytest.approx(ProviderEmulator.embedding_for("beta"), rel=1e-6)


def test_float_embeddings_are_lists(server: RunningServer) -> None:
    response = post(server, "embeddings", {**EMBED, "encoding_format": "float"})

    assert response.json()["data"][0]["embedding"] == pytest.approx(ProviderEmulator.embedding_for("alpha"))


def test_dimensions_and_user_reach_the_provider(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    response = post(server, "embeddings", {**EMBED, "dimensions": 8, "user": "u-1"})

    assert response.status_code == 200
    assert wire_ignored(response) is None
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["dimensions"] == 8
    assert sent["user"] == "u-1"


def test_an_embeddings_user_that_is_not_a_string_is_refused(server: RunningServer) -> None:
    response = post(server, "embeddings", {**EMBED, "user": 7})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "user"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("api_key", "sk-attacker-0123456789abcdef", "is not a field this server takes"),
        ("extra_headers", {"X-Evil": "1"}, "is not a field this server takes"),
        ("mock_response", [0.1], "is not a field this server takes"),
        ("input_cost_per_token", 0, "is not a field this server takes"),
        ("encoding_format", "int8", "encoding_format must be float or base64"),
    ],
)
def test_every_other_embeddings_field_is_refused_by_name(
    server: RunningServer, provider_emulator: ProviderEmulator, field: str, value: Any, says: str
) -> None:
    assert says in refused(post(server, "embeddings", {**EMBED, field: value}), field)
    assert provider_emulator.request_count() == 0


def test_bad_dimensions_are_refused_before_any_request(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    response = post(server, "embeddings", {**EMBED, "dimensions": -1})

    assert response.status_code == 400
    assert "dimensions must be a positive int" in response.json()["error"]["message"]
    assert provider_emulator.request_count() == 0
