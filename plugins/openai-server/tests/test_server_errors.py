"""What goes wrong, as an OpenAI client sees it: bad requests, keys, budgets, upstream faults."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from llm_resolver_openai_server import RunningServer, ServerSettings, create_app
from llm_resolver_openai_server.errors import from_llm_error

from llm_resolver import Dependencies, LLMConnectionError, SpecError
from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import CLIENT_KEY, UPSTREAM_KEY, builtin_only, models

HI = [{"role": "user", "content": "hi"}]


def post(server: RunningServer, body: Any, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else None
    return httpx.post(
        f"{server.base_url}/chat/completions",
        content=content,
        json=None if content is not None else body,
        headers=headers,
        timeout=10,
    )


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert UPSTREAM_KEY not in response.text
    return error


@pytest.mark.parametrize(
    ("body", "param", "says"),
    [
        (b"{not json", None, "not valid JSON"),
        ({"model": "support"}, "messages", "messages must be a non-empty list"),
        ({"messages": HI}, "model", "model is required"),
        ({"model": "support", "messages": HI, "n": 2}, "n", "n must be 1"),
        ({"model": "support", "messages": [{"role": "wizard", "content": "x"}]}, "messages", "role"),
        (
            {
                "model": "support",
                "messages": [{"role": "user", "content": [{"type": "deferred", "source": "/etc/passwd"}]}],
            },
            "messages[0].content[0].type",
            "type 'deferred' is not taken",
        ),
        (
            {
                "model": "support",
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}],
                    }
                ],
            },
            "messages",
            "not a data URL or an http(s) URL",
        ),
    ],
)
def test_bad_requests_are_400_naming_what_to_fix(
    server: RunningServer, provider_emulator: ProviderEmulator, body: Any, param: str | None, says: str
) -> None:
    response = post(server, body)

    assert response.status_code == 400
    error = error_of(response)
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert says in error["message"]
    assert provider_emulator.request_count() == 0


def test_a_body_over_the_limit_is_413(provider_emulator: ProviderEmulator, deps: Dependencies) -> None:
    with RunningServer(create_app(deps, ServerSettings(max_body_bytes=1024))) as server:
        response = post(server, {"model": "support", "messages": [{"role": "user", "content": "x" * 2048}]})

    assert response.status_code == 413
    assert error_of(response)["type"] == "invalid_request_error"
    assert provider_emulator.request_count() == 0


def test_an_unknown_model_is_404_listing_the_known_ones(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-5", messages=HI)  # type: ignore[arg-type]
    assert caught.value.code == "model_not_found"
    assert "this server has: claude, support" in caught.value.message


def test_a_bad_scope_header_is_400(server: RunningServer) -> None:
    response = post(server, {"model": "support", "messages": HI}, **{"X-LLM-Scope": "a/b/c/d"})
    assert response.status_code == 400
    assert error_of(response)["param"] == "X-LLM-Scope"


def test_unknown_paths_and_methods_answer_json(server: RunningServer) -> None:
    missing = httpx.get(f"{server.base_url}/audio/speech", timeout=10)
    wrong_method = httpx.get(f"{server.base_url}/chat/completions", timeout=10)
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    assert "GET /v1/audio/speech" in error_of(missing)["message"]
    error_of(wrong_method)


def test_an_upstream_rate_limit_is_a_429_with_retry_after(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.rate_limit(retry_after=7))

    response = post(server, {"model": "support", "messages": HI})

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert error_of(response)["code"] == "rate_limit_exceeded"


def test_the_providers_refusal_of_our_key_is_a_502(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault(status=401))

    response = post(server, {"model": "support", "messages": HI})

    assert response.status_code == 502
    assert error_of(response)["code"] == "upstream_authentication"


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [(Fault.server_error(503), 503, "upstream_error"), (Fault.server_error(500), 502, "upstream_error")],
)
def test_upstream_failures_are_5xx(
    server: RunningServer, provider_emulator: ProviderEmulator, fault: Fault, status: int, code: str
) -> None:
    provider_emulator.script(fault)

    response = post(server, {"model": "support", "messages": HI})

    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_a_context_window_error_keeps_its_openai_code(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault(status=400, code="context_length_exceeded"))

    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="support", messages=HI)  # type: ignore[arg-type]
    assert caught.value.code == "context_length_exceeded"


def test_a_spent_budget_is_insufficient_quota(provider_emulator: ProviderEmulator) -> None:
    deps = Dependencies.from_dict(
        models(provider_emulator, budget_usd=1e-9, max_tokens=10), plugins=builtin_only(), env={}
    )

    with (
        RunningServer(create_app(deps)) as server,
        openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk,
        pytest.raises(openai.RateLimitError) as caught,
    ):
        sdk.chat.completions.create(model="support", messages=HI)  # type: ignore[arg-type]
    assert caught.value.code == "insufficient_quota"
    assert provider_emulator.request_count() == 0


def test_a_stream_that_breaks_ends_with_an_error_event(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.drop_mid_stream(after_chunks=2))

    response = post(server, {"model": "support", "messages": HI, "stream": True})

    events = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert response.status_code == 200
    assert "[DONE]" not in events
    assert '"error"' in events[-1]
    assert "upstream_unreachable" in events[-1]


def test_a_stream_that_fails_before_its_first_chunk_is_a_plain_error(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.server_error(503))

    response = post(server, {"model": "support", "messages": HI, "stream": True})

    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("application/json")


INTERNAL = "upstream 10.1.2.3:8443 at http://llm.internal:8080/v1 down"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/llm/app/handler.py", line 12, in handle\n'
    f"    raise RuntimeError({INTERNAL!r})\nRuntimeError: {INTERNAL}"
)
LEAKS = ("10.1.2.3", "8443", "llm.internal", "Traceback", "/srv/llm", "handler.py", "RuntimeError")


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
def test_error_bodies_carry_our_sentence_not_the_providers_text(
    server: RunningServer, provider_emulator: ProviderEmulator, status: int, stream: bool
) -> None:
    provider_emulator.script(Fault(status=status, message=TRACEBACK))

    response = post(server, {"model": "support", "messages": HI, "stream": stream})

    assert response.status_code >= 400
    message = error_of(response)["message"]
    assert message.startswith("openai/gpt-4o-mini ")
    assert not [leak for leak in LEAKS if leak in response.text]


def test_a_reply_after_a_failed_attempt_does_not_quote_the_provider(
    provider_emulator: ProviderEmulator,
) -> None:
    deps = Dependencies.from_dict(models(provider_emulator, max_retries=1), plugins=builtin_only(), env={})
    provider_emulator.script(Fault(status=503, message=TRACEBACK), Reply(text="recovered"))

    with RunningServer(create_app(deps)) as server:
        response = post(server, {"model": "support", "messages": HI})

    assert response.status_code == 200
    attempts = response.json()["llm_resolver"]["attempts"]
    assert [(a["outcome"], a["error_type"]) for a in attempts[:1]] == [("error", "LLMServiceError")]
    assert not [leak for leak in LEAKS if leak in response.text]


def test_what_a_summary_quotes_from_below_is_scrubbed() -> None:
    # A broken stream's error quotes the exception that broke it, in its own sentence.
    error = LLMConnectionError(
        "the stream from openai/gpt-4o-mini broke after 5 characters (ClientConnectorError: Cannot "
        "connect to host llm.internal:8080 ssl:default [Connect call failed ('10.1.2.3', 8443)] "
        f"at http://llm.internal:8080/v1/chat; {TRACEBACK}); the partial text is on the error",
        model="openai/gpt-4o-mini",
    )

    message = from_llm_error(error).message

    assert message.startswith("the stream from openai/gpt-4o-mini broke after 5 characters (")
    assert not [leak for leak in LEAKS if leak in message]


@pytest.mark.parametrize("header", [None, "Bearer wrong-key", f"Basic {CLIENT_KEY}", "Bearer"])
def test_keys_are_required_when_configured(keyed_server: RunningServer, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}

    response = post(keyed_server, {"model": "support", "messages": HI}, **headers)

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_api_key"
    assert CLIENT_KEY not in response.text


def test_the_right_key_gets_in_and_health_needs_none(
    keyed_server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="welcome"))
    with openai.OpenAI(base_url=keyed_server.base_url, api_key=CLIENT_KEY, max_retries=0) as sdk:
        assert (
            sdk.chat.completions.create(model="support", messages=HI).choices[0].message.content == "welcome"
        )  # type: ignore[arg-type]
    assert httpx.get(keyed_server.base_url.removesuffix("/v1") + "/healthz", timeout=10).status_code == 200


def test_a_bad_spec_fails_at_start_up(provider_emulator: ProviderEmulator) -> None:
    broken = models(provider_emulator, timeout="soon")
    with pytest.raises(SpecError, match="timeout"):
        create_app(Dependencies.from_dict(broken, plugins=builtin_only(), env={}))


def test_settings_never_show_their_keys() -> None:
    assert CLIENT_KEY not in repr(ServerSettings(api_keys={CLIENT_KEY: None}))


@pytest.mark.parametrize("stream", [False, True])
def test_an_unreachable_provider_is_upstream_unreachable_for_every_format(
    provider_emulator: ProviderEmulator, unused_tcp_port: int, stream: bool
) -> None:
    """The server calls LiteLLM's async path (aiohttp: "Cannot connect to host") for each format."""
    closed = f"http://127.0.0.1:{unused_tcp_port}"
    spec = models(provider_emulator)
    spec["support"]["properties"]["api_base"] = closed + "/v1"
    spec["claude"]["properties"]["api_base"] = closed
    spec["gemini"] = {
        "class_name": "litellm",
        "properties": {**spec["claude"]["properties"], "model": "gemini/gemini-2.5-flash"},
    }
    spec["gemini"]["properties"]["api_base"] = closed + "/v1beta"
    deps = Dependencies.from_dict(spec, plugins=builtin_only(), env={})

    with RunningServer(create_app(deps)) as server:
        for name in ("support", "claude", "gemini"):
            response = post(server, {"model": name, "messages": HI, "stream": stream})
            assert response.status_code == 502, name
            assert error_of(response)["code"] == "upstream_unreachable", name
