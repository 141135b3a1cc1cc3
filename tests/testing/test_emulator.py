"""The provider emulator, exercised the way the library uses it: LiteLLM over real HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.exceptions import MidStreamFallbackError

from llm_resolver.testing import Fault, ProviderEmulator, RecordedRequest, Reply, ToolCallSpec

pytestmark = pytest.mark.timeout(30)  # a fault that hangs a client must fail the test, not the run

PROMPT = [{"role": "user", "content": "hello there"}]
PNG_DATA_URL = "data:image/png;base64,iVBORw0KGgo="


@dataclass(frozen=True)
class Target:
    """How LiteLLM addresses one emulated provider."""

    provider: str
    wire_model: str
    base_attr: str

    @property
    def litellm_model(self) -> str:
        return f"{self.provider}/{self.wire_model}"


TARGETS = [
    Target("openai", "gpt-4o-mini", "openai_base"),
    Target("anthropic", "claude-haiku-4-5", "anthropic_base"),
    Target("gemini", "gemini-2.5-flash", "gemini_base"),
]


@pytest.fixture(scope="module")
def emu() -> Iterator[ProviderEmulator]:
    """One server for the module (faster); every test starts from a reset emulator."""
    with ProviderEmulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu: ProviderEmulator) -> None:
    emu.reset()


@pytest.fixture(params=TARGETS, ids=lambda t: t.provider)
def target(request: pytest.FixtureRequest) -> Target:
    return request.param  # type: ignore[no-any-return]


def llm_kwargs(emu: ProviderEmulator, target: Target, **overrides: Any) -> dict[str, Any]:
    """Arguments for one LiteLLM call that makes exactly one request."""
    return {
        "model": target.litellm_model,
        "api_base": getattr(emu, target.base_attr),
        "api_key": "x",
        "messages": PROMPT,
        "num_retries": 0,
        "max_retries": 0,
        **overrides,
    }


def complete(emu: ProviderEmulator, target: Target, **overrides: Any) -> Any:
    return litellm.completion(**llm_kwargs(emu, target, **overrides))


def stream_text(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def drain(stream: Any, received: list[str]) -> None:
    for chunk in stream:
        received.append(chunk.choices[0].delta.content or "")


async def adrain(stream: Any, received: list[str]) -> None:
    async for chunk in stream:
        received.append(chunk.choices[0].delta.content or "")


def stream_usage(chunks: list[Any]) -> Any:
    usages = [c.usage for c in chunks if getattr(c, "usage", None) is not None]
    return usages[-1] if usages else None


def only_request(emu: ProviderEmulator) -> RecordedRequest:
    (request,) = emu.requests
    return request


# --- replies -------------------------------------------------------------------------------------


def test_completion_returns_scripted_text_and_usage(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Reply(text="Hello from the emulator", usage=(11, 7), cached_tokens=3))

    response = complete(emu, target)

    assert response.choices[0].message.content == "Hello from the emulator"
    assert response.choices[0].finish_reason == "stop"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (11, 7)
    assert response.usage.total_tokens == 18
    assert response.usage.prompt_tokens_details.cached_tokens == 3


@pytest.mark.usefixtures("litellm_async_clients")
async def test_acompletion_returns_scripted_text_and_usage(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Reply(text="async hello", usage=(5, 2)))

    response = await litellm.acompletion(**llm_kwargs(emu, target))

    assert response.choices[0].message.content == "async hello"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (5, 2)


def test_default_reply_echoes_last_user_text(emu: ProviderEmulator, target: Target) -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "second question"}]},
    ]

    response = complete(emu, target, messages=messages)

    assert response.choices[0].message.content == "echo: second question"
    assert response.usage.prompt_tokens >= 1
    assert response.usage.completion_tokens == len("echo: second question") // 4 + 1


def test_changed_default_reply_is_used_when_queue_is_empty(emu: ProviderEmulator, target: Target) -> None:
    emu.default_reply = Reply(text="always this")

    assert complete(emu, target).choices[0].message.content == "always this"
    assert complete(emu, target).choices[0].message.content == "always this"


def test_finish_reason_maps_through_provider_vocabulary(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Reply(text="cut", finish_reason="length"))

    assert complete(emu, target).choices[0].finish_reason == "length"


def test_stream_assembles_scripted_text_and_reports_usage(emu: ProviderEmulator, target: Target) -> None:
    text = "Streaming works across several separate words here"
    emu.script(Reply(text=text, usage=(12, 9)))

    chunks = list(complete(emu, target, stream=True, stream_options={"include_usage": True}))

    assert stream_text(chunks) == text
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 1
    usage = stream_usage(chunks)
    assert (usage.prompt_tokens, usage.completion_tokens) == (12, 9)


@pytest.mark.usefixtures("litellm_async_clients")
async def test_async_stream_honours_chunk_count_and_delay(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Reply(text="abcdefghij", chunks=5, chunk_delay=0.02, usage=(3, 4)))
    started = time.monotonic()

    stream = await litellm.acompletion(
        **llm_kwargs(emu, target, stream=True, stream_options={"include_usage": True})
    )
    chunks = [chunk async for chunk in stream]

    assert time.monotonic() - started >= 0.08
    assert [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content] == [
        "ab",
        "cd",
        "ef",
        "gh",
        "ij",
    ]
    assert stream_usage(chunks).completion_tokens == 4


def test_tool_calls_are_parsed_by_litellm(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Reply(tool_calls=[ToolCallSpec("get_weather", {"city": "Paris"}), ToolCallSpec("noop", {})]))

    message = complete(emu, target).choices[0]

    assert message.finish_reason == "tool_calls"
    calls = message.message.tool_calls
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "Paris"}),
        ("noop", {}),
    ]
    assert calls[0].id != calls[1].id


def test_streamed_tool_calls_are_parsed_by_litellm(emu: ProviderEmulator, target: Target) -> None:
    emu.script(
        Reply(text="Let me check.", tool_calls=[ToolCallSpec("get_weather", {"city": "Oslo"}, id="t1")])
    )

    chunks = list(complete(emu, target, stream=True))
    message = litellm.stream_chunk_builder(chunks).choices[0].message

    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls] == [
        ("t1", "get_weather", {"city": "Oslo"})
    ]


def test_string_tool_arguments_are_sent_verbatim_to_openai(emu: ProviderEmulator) -> None:
    emu.script(Reply(tool_calls=[ToolCallSpec("broken", '{"city": ')]))

    calls = complete(emu, TARGETS[0]).choices[0].message.tool_calls

    assert calls[0].function.arguments == '{"city": '


def test_send_usage_in_stream_false_omits_usage_on_the_wire(emu: ProviderEmulator) -> None:
    emu.script(Reply(text="no usage here", send_usage_in_stream=False), Reply(text="with usage"))
    body = {
        "model": "gpt-4o-mini",
        "messages": PROMPT,
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    without = httpx.post(emu.openai_base + "/chat/completions", json=body).text
    with_usage = httpx.post(emu.openai_base + "/chat/completions", json=body).text

    assert '"prompt_tokens"' not in without
    assert without.rstrip().endswith("data: [DONE]")
    assert '"prompt_tokens"' in with_usage


def test_raw_json_override_is_sent_as_is(emu: ProviderEmulator) -> None:
    emu.script(Reply(json={"custom": True}))

    response = httpx.post(emu.openai_base + "/chat/completions", json={"model": "m", "messages": PROMPT})

    assert response.json() == {"custom": True}


# --- faults --------------------------------------------------------------------------------------

STATUS_FAULTS = [
    pytest.param(Fault.rate_limit(retry_after=7), litellm.RateLimitError, id="429"),
    pytest.param(Fault.auth(), litellm.AuthenticationError, id="401"),
    pytest.param(Fault.server_error(), litellm.InternalServerError, id="500"),
    pytest.param(Fault.unavailable(), litellm.ServiceUnavailableError, id="503"),
    pytest.param(Fault.bad_request("nope"), litellm.BadRequestError, id="400"),
    pytest.param(Fault.context_window(), litellm.ContextWindowExceededError, id="context-window"),
    pytest.param(Fault.content_policy(), litellm.ContentPolicyViolationError, id="content-policy"),
]


@pytest.mark.parametrize(("fault", "error"), STATUS_FAULTS)
def test_status_faults_map_to_litellm_exceptions(
    emu: ProviderEmulator, target: Target, fault: Fault, error: type[Exception]
) -> None:
    emu.script(fault)

    with pytest.raises(error) as caught:
        complete(emu, target)

    assert getattr(caught.value, "status_code", None) == fault.status
    assert len(emu.requests) == 1


def test_retry_after_header_reaches_the_exception(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.rate_limit(retry_after=1.5), Fault.rate_limit(retry_after=7))

    for expected in ("1.5", "7"):
        with pytest.raises(litellm.RateLimitError) as caught:
            complete(emu, target)
        assert caught.value.litellm_response_headers["retry-after"] == expected


def test_fault_extra_headers_are_sent(emu: ProviderEmulator) -> None:
    emu.script(Fault(status=429, headers={"x-custom": "1"}))

    response = httpx.post(emu.openai_base + "/chat/completions", json={"model": "m", "messages": PROMPT})

    assert response.status_code == 429
    assert response.headers["x-custom"] == "1"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


def test_error_bodies_have_each_providers_shape(emu: ProviderEmulator) -> None:
    emu.script(
        Fault.rate_limit(retry_after=3), Fault.rate_limit(retry_after=3), Fault.rate_limit(retry_after=3)
    )
    chat = {"model": "m", "messages": PROMPT}

    openai = httpx.post(emu.openai_base + "/chat/completions", json=chat).json()
    anthropic = httpx.post(emu.anthropic_base + "/v1/messages", json=chat).json()
    gemini = httpx.post(emu.gemini_base + "/models/g:generateContent", json={"contents": []}).json()

    assert set(openai["error"]) == {"message", "type", "param", "code"}
    assert anthropic["type"] == "error"
    assert anthropic["error"]["type"] == "rate_limit_error"
    assert (gemini["error"]["code"], gemini["error"]["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert gemini["error"]["details"][0]["retryDelay"] == "3s"


def test_drop_fails_the_call(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.drop())

    with pytest.raises((litellm.APIConnectionError, litellm.InternalServerError)) as caught:
        complete(emu, target)

    assert "disconnected" in str(caught.value).lower() or "connection error" in str(caught.value).lower()
    assert only_request(emu).model == target.wire_model


def test_drop_mid_stream_raises_during_iteration(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.drop_mid_stream(after_chunks=2))
    received: list[str] = []

    stream = complete(emu, target, stream=True)
    with pytest.raises(MidStreamFallbackError) as caught:
        drain(stream, received)

    assert "".join(received) == "echo: hello "
    assert isinstance(caught.value.original_exception, litellm.APIConnectionError)


@pytest.mark.usefixtures("litellm_async_clients")
async def test_drop_mid_stream_raises_during_async_iteration(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.drop_mid_stream(after_chunks=1))
    received: list[str] = []

    stream = await litellm.acompletion(**llm_kwargs(emu, target, stream=True))
    with pytest.raises(MidStreamFallbackError):
        await adrain(stream, received)

    assert "".join(received) == "echo: "


def test_drop_mid_stream_truncates_a_json_body(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.drop_mid_stream())

    with pytest.raises((litellm.APIConnectionError, litellm.InternalServerError)):
        complete(emu, target)


def test_end_mid_stream_ends_cleanly_and_litellm_does_not_notice(
    emu: ProviderEmulator, target: Target
) -> None:
    """The body ends as if whole, without the provider's closing events; LiteLLM makes up the end."""
    emu.script(Fault.end_mid_stream(after_chunks=1))
    received: list[str] = []

    drain(complete(emu, target, stream=True), received)

    assert "".join(received) == "echo: "


def test_end_mid_stream_halves_a_json_body(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.end_mid_stream())

    with pytest.raises(
        (litellm.APIConnectionError, litellm.InternalServerError, litellm.BadRequestError)
    ) as caught:
        complete(emu, target)

    assert "(char " in str(caught.value)


def test_malformed_json_body_fails_the_call(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.malformed())

    with pytest.raises(
        (litellm.APIConnectionError, litellm.InternalServerError, litellm.BadRequestError)
    ) as caught:
        complete(emu, target)

    assert "Expecting value" in str(caught.value)


def test_malformed_stream(emu: ProviderEmulator, target: Target) -> None:
    """OpenAI's client rejects undecodable SSE data; LiteLLM's Anthropic and Gemini parsers skip it."""
    emu.script(Fault.malformed())

    if target.provider == "openai":
        with pytest.raises(MidStreamFallbackError):
            list(complete(emu, target, stream=True))
    else:
        assert stream_text(list(complete(emu, target, stream=True))) == ""


def test_slow_fault_delays_then_echoes(emu: ProviderEmulator, target: Target) -> None:
    emu.script(Fault.slow(0.3))
    started = time.monotonic()

    response = complete(emu, target)

    assert time.monotonic() - started >= 0.3
    assert response.choices[0].message.content == "echo: hello there"


def test_slow_fault_trips_the_client_timeout(emu: ProviderEmulator) -> None:
    emu.script(Fault.slow(2.0))

    with pytest.raises(litellm.Timeout):
        complete(emu, TARGETS[0], timeout=0.2)


def test_stream_errors_surface_per_provider(emu: ProviderEmulator, target: Target) -> None:
    """Gemini streams start lazily, so its HTTP errors arrive wrapped on first iteration."""
    emu.script(Fault.rate_limit(retry_after=2))

    with pytest.raises((litellm.RateLimitError, MidStreamFallbackError)) as caught:
        list(complete(emu, target, stream=True))

    error = caught.value
    if isinstance(error, MidStreamFallbackError):
        assert target.provider == "gemini"
        error = error.original_exception
    assert isinstance(error, litellm.RateLimitError)


def test_fault_kind_is_validated() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault(kind="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="status"):
        Fault(status=200)


# --- queues and recording ------------------------------------------------------------------------


def test_per_model_queue_is_consulted_before_the_global_queue(emu: ProviderEmulator) -> None:
    openai, anthropic = TARGETS[0], TARGETS[1]
    emu.script(Reply(text="global one"), Reply(text="global two"))
    emu.script(Reply(text="for claude"), model="claude-haiku-4-5")

    assert complete(emu, openai).choices[0].message.content == "global one"
    assert complete(emu, anthropic).choices[0].message.content == "for claude"
    assert complete(emu, anthropic).choices[0].message.content == "global two"
    assert complete(emu, anthropic).choices[0].message.content == "echo: hello there"
    assert emu.request_count(model="claude-haiku-4-5") == 3
    assert emu.request_count(path_contains="/chat/completions") == 1


def test_faults_and_replies_share_one_fifo(emu: ProviderEmulator) -> None:
    emu.script(Fault.server_error(), Reply(text="recovered"))

    with pytest.raises(litellm.InternalServerError):
        complete(emu, TARGETS[0])
    assert complete(emu, TARGETS[0]).choices[0].message.content == "recovered"


def test_requests_are_recorded_with_wire_details(emu: ProviderEmulator, target: Target) -> None:
    list(complete(emu, target, stream=True, temperature=0.5))

    request = only_request(emu)
    assert request.provider == target.provider
    assert request.kind == "chat"
    assert request.model == target.wire_model
    assert request.stream is True
    assert request.method == "POST"
    assert request.body is not None
    assert request.received_at <= time.monotonic()
    auth = {"openai": ("authorization", "Bearer x"), "anthropic": ("x-api-key", "x")}
    name, value = auth.get(target.provider, ("x-goog-api-key", "x"))
    assert request.headers[name] == value
    if target.provider == "gemini":
        assert request.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
        assert request.query == "alt=sse"
        assert request.body["generationConfig"]["temperature"] == 0.5
    else:
        assert (
            request.path == {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}[target.provider]
        )
        assert request.body["temperature"] == 0.5
        assert request.body["stream"] is True


def test_images_reach_the_wire_in_each_providers_shape(emu: ProviderEmulator, target: Target) -> None:
    content = [
        {"type": "text", "text": "what is this"},
        {"type": "image_url", "image_url": {"url": PNG_DATA_URL}},
    ]

    response = complete(emu, target, messages=[{"role": "user", "content": content}])

    assert response.choices[0].message.content == "echo: what is this"
    body = only_request(emu).body
    assert body is not None
    if target.provider == "openai":
        assert body["messages"][0]["content"][1]["image_url"]["url"] == PNG_DATA_URL
    elif target.provider == "anthropic":
        source = body["messages"][0]["content"][1]["source"]
        assert (source["type"], source["media_type"], source["data"]) == (
            "base64",
            "image/png",
            "iVBORw0KGgo=",
        )
    else:
        part = body["contents"][0]["parts"][1]
        inline = part.get("inline_data") or part.get("inlineData")
        assert inline["data"] == "iVBORw0KGgo="


def test_reset_clears_queues_records_and_default(emu: ProviderEmulator) -> None:
    emu.default_reply = Reply(text="custom")
    emu.script(Reply(text="queued"))
    emu.script(Reply(text="queued for model"), model="gpt-4o-mini")
    complete(emu, TARGETS[1])

    emu.reset()

    assert emu.requests == []
    assert complete(emu, TARGETS[0]).choices[0].message.content == "echo: hello there"


# --- embeddings, listings, other endpoints -------------------------------------------------------


def test_embeddings_keep_input_order(emu: ProviderEmulator) -> None:
    texts = ["alpha", "beta", "gamma"]
    emu.script(Reply(usage=(3, 0)))

    response = litellm.embedding(
        model="openai/text-embedding-3-small",
        input=texts,
        api_base=emu.openai_base,
        api_key="x",
        num_retries=0,
        max_retries=0,
    )

    assert [item["embedding"] for item in response.data] == [ProviderEmulator.embedding_for(t) for t in texts]
    assert len(set(map(tuple, (item["embedding"] for item in response.data)))) == 3
    assert response.usage.prompt_tokens == 3
    request = only_request(emu)
    assert (request.kind, request.model, request.path) == (
        "embeddings",
        "text-embedding-3-small",
        "/v1/embeddings",
    )


def test_embeddings_over_plain_http_use_floats_and_estimate_usage(emu: ProviderEmulator) -> None:
    body = httpx.post(emu.openai_base + "/embeddings", json={"model": "e", "input": "one two"}).json()

    assert body["data"][0]["embedding"] == ProviderEmulator.embedding_for("one two")
    assert body["usage"] == {"prompt_tokens": 2, "total_tokens": 2}


def embed(emu: ProviderEmulator, texts: list[str]) -> Any:
    return litellm.embedding(
        model="openai/e", input=texts, api_base=emu.openai_base, api_key="x", num_retries=0, max_retries=0
    )


def test_embeddings_faults_apply(emu: ProviderEmulator) -> None:
    emu.script(Fault(status=429, headers={"x-should-retry": "false"}))

    with pytest.raises(litellm.RateLimitError):
        embed(emu, ["a"])

    assert len(emu.requests) == 1


def test_litellm_retries_openai_embeddings_despite_max_retries_zero(emu: ProviderEmulator) -> None:
    """LiteLLM reads ``max_retries or DEFAULT_MAX_RETRIES`` for OpenAI embeddings, so 0 means 2 SDK retries;
    ``x-should-retry: false`` (as above) is how a fault opts out."""
    emu.script(*[Fault.rate_limit(retry_after=0.01)] * 3)

    with pytest.raises(litellm.RateLimitError):
        embed(emu, ["a"])

    assert len(emu.requests) == 3


def test_model_listings_in_each_shape(emu: ProviderEmulator) -> None:
    emu.models = ["m-one", "m-two"]

    openai = httpx.get(emu.openai_base + "/models", headers={"authorization": "Bearer x"}).json()
    anthropic = httpx.get(emu.anthropic_base + "/v1/models", headers={"x-api-key": "x"}).json()
    gemini = httpx.get(emu.gemini_base + "/models").json()

    assert openai["object"] == "list"
    assert [(m["id"], m["object"]) for m in openai["data"]] == [("m-one", "model"), ("m-two", "model")]
    assert [(m["id"], m["type"]) for m in anthropic["data"]] == [("m-one", "model"), ("m-two", "model")]
    assert anthropic["has_more"] is False
    assert [m["name"] for m in gemini["models"]] == ["models/m-one", "models/m-two"]
    assert [r.provider for r in emu.requests] == ["openai", "anthropic", "gemini"]
    assert {r.kind for r in emu.requests} == {"models"}


def test_listings_take_global_faults_but_leave_replies(emu: ProviderEmulator) -> None:
    emu.script(Fault.unavailable(), Reply(text="for chat"))

    assert httpx.get(emu.openai_base + "/models").status_code == 503
    assert httpx.get(emu.openai_base + "/models").status_code == 200
    assert complete(emu, TARGETS[0]).choices[0].message.content == "for chat"


def test_unknown_path_is_a_404(emu: ProviderEmulator) -> None:
    response = httpx.post(emu.url + "/v2/nothing", json={})

    assert response.status_code == 404
    assert "error" in response.json()


# --- server behaviour ----------------------------------------------------------------------------


async def test_two_hundred_concurrent_requests_complete(emu: ProviderEmulator) -> None:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=emu.openai_base, limits=limits, timeout=30) as client:

        async def one(index: int) -> str:
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"n{index}"}]}
            response = await client.post("/chat/completions", json=body)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"])

        answers = await asyncio.gather(*(one(i) for i in range(200)))

    assert answers == [f"echo: n{i}" for i in range(200)]
    assert emu.request_count() == 200


def test_keep_alive_connections_are_reused(emu: ProviderEmulator) -> None:
    with httpx.Client(base_url=emu.openai_base) as client:
        ports = set()
        for _ in range(3):
            with client.stream("GET", "/models") as response:
                ports.add(response.extensions["network_stream"].get_extra_info("client_addr")[1])
                response.read()

    assert len(ports) == 1


def test_stop_is_prompt_with_open_connections_and_sleeping_handlers() -> None:
    emulator = ProviderEmulator().start()
    emulator.script(Reply(delay=30))
    idle = httpx.Client(base_url=emulator.openai_base, timeout=10)
    assert idle.get("/models").status_code == 200  # leaves a keep-alive connection open
    outcome: list[object] = []

    def blocked_post() -> None:
        try:
            outcome.append(httpx.post(emulator.openai_base + "/chat/completions", json={"messages": PROMPT}))
        except httpx.HTTPError as error:
            outcome.append(error)

    worker = threading.Thread(target=blocked_post)
    worker.start()
    deadline = time.monotonic() + 5
    while emulator.request_count(path_contains="/chat") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)

    started = time.monotonic()
    emulator.stop()
    worker.join(timeout=5)

    assert time.monotonic() - started < 2
    assert len(outcome) == 1
    assert isinstance(outcome[0], httpx.HTTPError)
    with pytest.raises(httpx.HTTPError):
        idle.get("/models")
    idle.close()


def test_url_requires_a_running_emulator() -> None:
    emulator = ProviderEmulator()

    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.url


def test_pytest_fixture_provides_a_running_emulator(provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="from the fixture"))

    response = complete(provider_emulator, TARGETS[0])

    assert response.choices[0].message.content == "from the fixture"
    assert provider_emulator.url.startswith("http://127.0.0.1:")
