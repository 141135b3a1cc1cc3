"""HTTP-level defences: strict JSON, the JSON content type, no page of another site (CSRF, DNS
rebinding), a deadline for the body, a cap on connections and on prompts, and calls stopped when their
client hangs up. Each is refused before any request reaches the provider."""

from __future__ import annotations

import argparse
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from fastapi import FastAPI
from llm_resolver_openai_server import RunningServer, ServerSettings, create_app, router
from llm_resolver_openai_server.command import add_parser

from llm_resolver import Dependencies, SpecError
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import CLIENT_KEY, TENANT_KEY, UPSTREAM_KEY, builtin_only, models

HI = '"model":"support","messages":[{"role":"user","content":"hi"}]'
JSON = {"Content-Type": "application/json"}
CHAT = {"model": "support", "messages": [{"role": "user", "content": "hi"}]}


def post(
    server: RunningServer, content: str | bytes, path: str = "chat/completions", **headers: str
) -> httpx.Response:
    return httpx.post(f"{server.base_url}/{path}", content=content, headers={**JSON, **headers}, timeout=20)


def error_of(response: httpx.Response, status: int, param: str | None) -> str:
    """The error's message, once the answer is ``status`` naming ``param``."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["param"] == param
    assert UPSTREAM_KEY not in response.text
    return str(error["message"])


def origin_of(server: RunningServer) -> str:
    return server.base_url.removesuffix("/v1")


def raw(server: RunningServer) -> socket.socket:
    url = httpx.URL(server.base_url)
    assert url.port is not None
    return socket.create_connection((url.host, url.port), timeout=20)


def served(deps: Dependencies, **settings: Any) -> RunningServer:
    return RunningServer(create_app(deps, ServerSettings(**settings)))


# Strict JSON: no NaN or Infinity, numbers and nesting Python reads are a 400, not a 500.


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{" + HI + ',"temperature":NaN}', "NaN"),
        ("{" + HI + ',"tools":[{"type":"function","function":{"name":"f","parameters":{"x":NaN}}}]}', "NaN"),
        ("{" + HI + ',"response_format":{"type":"json_object","x":Infinity}}', "Infinity"),
        ("{" + HI + ',"metadata":{"a":-Infinity}}', "-Infinity"),
        ("{" + HI + ',"temperature":1e999}', "1e999"),
    ],
)
def test_non_finite_numbers_are_refused_at_parse(
    server: RunningServer, provider_emulator: ProviderEmulator, body: str, named: str
) -> None:
    message = error_of(post(server, body), 400, None)

    assert named in message
    assert "send a finite number or null" in message or "send a smaller one" in message
    assert provider_emulator.request_count() == 0


def test_a_tenants_nan_does_not_cool_the_shared_endpoint_down(provider_emulator: ProviderEmulator) -> None:
    """Before, a NaN in a forwarded tool schema was a retryable provider failure: three of them sent
    every tenant to the fallback model."""
    claude = {"model": "anthropic/claude-haiku-4-5", "api_base": provider_emulator.anthropic_base}
    fallback = [{**claude, "api_key": UPSTREAM_KEY}]
    specs = models(provider_emulator, fallback_models=fallback)
    deps = Dependencies.from_dict(specs, plugins=builtin_only(), env={})
    poison = "{" + HI + ',"tools":[{"type":"function","function":{"name":"f","parameters":{"x":NaN}}}]}'
    keys = {CLIENT_KEY: None, TENANT_KEY: None}
    with served(deps, api_keys=keys) as server:
        statuses = [post(server, poison, Authorization=f"Bearer {TENANT_KEY}").status_code for _ in range(4)]
        victim = httpx.post(
            f"{server.base_url}/chat/completions",
            json=CHAT,
            headers={"Authorization": f"Bearer {CLIENT_KEY}"},
            timeout=20,
        )

    assert statuses == [400] * 4
    assert victim.status_code == 200
    attempts = victim.json()["llm_resolver"]["attempts"]
    assert [a["model"] for a in attempts] == ["openai/gpt-4o-mini"]
    assert provider_emulator.request_count() == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{" + HI + ',"seed":' + "9" * 4301 + "}", "an integer of 4301 digits"),
        ("{" + HI + ',"metadata":{"a":' + "1" * 5000 + "}}", "an integer of 5000 digits"),
        (
            "{" + HI + ',"metadata":' + "[" * 100_000 + "]" * 100_000 + "}",
            "nests arrays or objects too deeply",
        ),
        ("[" * 100_000 + "]" * 100_000, "nests arrays or objects too deeply"),
    ],
)
def test_json_too_big_for_the_parser_is_a_400(
    server: RunningServer, provider_emulator: ProviderEmulator, body: str, says: str
) -> None:
    assert says in error_of(post(server, body), 400, None)
    assert provider_emulator.request_count() == 0


# The content type: only JSON is read, so a page of another site cannot send a "simple" request.


@pytest.mark.parametrize(
    "kind",
    ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
@pytest.mark.parametrize(
    "path", ["chat/completions", "completions", "responses", "embeddings", "cost/estimate"]
)
def test_a_body_that_is_not_sent_as_json_is_415(
    server: RunningServer, provider_emulator: ProviderEmulator, kind: str, path: str
) -> None:
    response = post(server, "{" + HI + "}", path, **{"Content-Type": kind})

    message = error_of(response, 415, "Content-Type")
    assert message.startswith("the body must be sent as Content-Type: application/json")
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("kind", ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8"])
def test_json_with_its_charset_is_read(server: RunningServer, kind: str) -> None:
    assert post(server, "{" + HI + "}", **{"Content-Type": kind}).status_code == 200


def test_a_browser_must_name_the_json_type(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    """A Blob body has no type: a page may send it without a preflight. A script may send none."""
    url = f"{server.base_url}/chat/completions"
    untyped = httpx.Request("POST", url, content=("{" + HI + "}").encode())
    same_site = httpx.Request("POST", url, content=untyped.content, headers={"Sec-Fetch-Site": "same-origin"})
    with httpx.Client(timeout=20) as http:
        script, browser = http.send(untyped), http.send(same_site)

    assert script.status_code == 200
    assert "Content-Type: application/json" in error_of(browser, 415, "Content-Type")
    assert provider_emulator.request_count() == 1


# Origin and Sec-Fetch-Site: no page of another site, keys or not.


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:1", "http://localhost"])
def test_a_page_of_another_origin_is_refused(
    server: RunningServer, provider_emulator: ProviderEmulator, origin: str
) -> None:
    response = post(server, "{" + HI + "}", Origin=origin)

    message = error_of(response, 403, "Origin")
    assert f"Origin {origin!r} is not this server's own" in message
    assert "ServerSettings.allowed_origins" in message
    assert response.json()["error"]["code"] == "cross_origin_refused"
    assert provider_emulator.request_count() == 0


def test_what_the_attack_page_sends_is_refused_on_every_route(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    """The repro's request: a text/plain POST from another site, and a refresh that spends the server's
    provider credentials."""
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"}
    base = origin_of(server)
    for path in ("/v1/chat/completions", "/v1/providers/openai/models/refresh", "/v1/cost/estimate"):
        assert httpx.post(base + path, content="{" + HI + "}", headers=evil, timeout=20).status_code == 403
    assert httpx.get(base + "/v1/models", headers=evil, timeout=20).status_code == 403
    assert provider_emulator.request_count() == 0


def test_sec_fetch_site_cross_site_is_refused(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    response = post(server, "{" + HI + "}", **{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})

    assert "Sec-Fetch-Site: cross-site" in error_of(response, 403, "Sec-Fetch-Site")
    assert provider_emulator.request_count() == 0


def test_the_servers_own_pages_are_served(server: RunningServer) -> None:
    """The playground's fetches: same origin, JSON; and a link to it from elsewhere (a navigation)."""
    own = {"Origin": origin_of(server), "Sec-Fetch-Site": "same-origin"}
    navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}

    assert post(server, "{" + HI + "}", **own).status_code == 200
    assert httpx.get(f"{server.base_url}/models", headers=own, timeout=20).status_code == 200
    assert httpx.get(f"{origin_of(server)}/playground", headers=navigation, timeout=20).status_code == 200


def test_an_allowed_origin_is_served(deps: Dependencies, provider_emulator: ProviderEmulator) -> None:
    keys = {CLIENT_KEY: None}
    with served(deps, api_keys=keys, allowed_origins=["https://App.Example/"]) as server:
        page = {"Authorization": f"Bearer {CLIENT_KEY}", "Sec-Fetch-Site": "cross-site"}
        allowed = post(server, "{" + HI + "}", Origin="https://app.example", **page)
        other = post(server, "{" + HI + "}", Origin="https://other.example", **page)

    assert allowed.status_code == 200
    assert other.status_code == 403
    assert provider_emulator.request_count() == 1


@pytest.mark.parametrize(
    "origin", ["app.example", "https://app.example/path", "ftp://app.example", "https://"]
)
def test_allowed_origins_must_be_origins(origin: str) -> None:
    with pytest.raises(SpecError, match=r"allowed_origins entries are origins such as https://app\.example"):
        ServerSettings(allowed_origins=(origin,))


# Host: without keys, only loopback names (a rebound name is another site's page).


@pytest.mark.parametrize("path", ["/v1/models", "/v1/providers", "/healthz", "/playground", "/nowhere"])
def test_without_keys_a_foreign_host_is_refused_on_every_path(
    server: RunningServer, provider_emulator: ProviderEmulator, path: str
) -> None:
    response = httpx.get(origin_of(server) + path, headers={"Host": "rebind.evil.example:8000"}, timeout=20)

    message = error_of(response, 403, "Host")
    assert message.startswith("Host 'rebind.evil.example:8000' is not a loopback name")
    assert "localhost, 127.0.0.1 or [::1]" in message
    assert response.json()["error"]["code"] == "host_not_allowed"
    assert provider_emulator.request_count() == 0


def test_a_rebound_page_cannot_chat(server: RunningServer, provider_emulator: ProviderEmulator) -> None:
    rebound = {"Host": "rebind.evil.example:8000", "Origin": "http://rebind.evil.example:8000"}

    assert error_of(post(server, "{" + HI + "}", **rebound), 403, "Host")
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:1234", "LOCALHOST"])
def test_without_keys_loopback_hosts_are_served(server: RunningServer, host: str) -> None:
    assert httpx.get(f"{server.base_url}/models", headers={"Host": host}, timeout=20).status_code == 200


def test_with_keys_any_host_is_served(keyed_server: RunningServer) -> None:
    headers = {"Host": "llm.example.com", "Authorization": f"Bearer {CLIENT_KEY}"}

    assert httpx.get(f"{keyed_server.base_url}/models", headers=headers, timeout=20).status_code == 200


def test_a_mounted_router_without_keys_refuses_other_sites_too(
    deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    """A host's app without the server's middleware: the keyless auth dependency checks the same."""
    app = FastAPI()
    app.include_router(router(deps))
    with RunningServer(app) as server:
        foreign = post(server, "{" + HI + "}", Origin="https://evil.example")
        rebound = post(server, "{" + HI + "}", Host="rebind.evil.example")
        own = post(server, "{" + HI + "}", Origin=origin_of(server))

    assert (foreign.status_code, rebound.status_code, own.status_code) == (403, 403, 200)
    assert provider_emulator.request_count() == 1


# The body's deadline and the connection cap: a slow client cannot hold the server.


@pytest.fixture
def hasty(deps: Dependencies) -> Iterator[RunningServer]:
    with served(deps, body_timeout_s=1) as running:
        yield running


def test_a_body_trickled_past_the_deadline_is_408(
    hasty: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    with raw(hasty) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
        started, answer = time.monotonic(), b""
        sock.settimeout(0.3)
        while b"\r\n\r\n" not in answer and time.monotonic() - started < 20:
            try:
                sock.sendall(b" ")  # a byte at a time: the deadline is for the whole body
                answer += sock.recv(65536)
            except TimeoutError:
                continue
        took = time.monotonic() - started
        sock.settimeout(10)
        while not answer.endswith(b"}"):
            more = sock.recv(65536)
            if not more:
                break
            answer += more
        closed = sock.recv(1) == b""

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"the body did not arrive within 1 s; send it at once" in body
    assert b'"code":"request_timeout"' in body
    assert closed  # the rest of the body will not be read as a next request
    assert 0.9 < took < 15
    assert provider_emulator.request_count() == 0


def test_a_body_sent_in_time_is_read(hasty: RunningServer) -> None:
    with openai.OpenAI(base_url=hasty.base_url, api_key="unused", max_retries=0) as sdk:
        answer = sdk.chat.completions.create(model="support", messages=CHAT["messages"])  # type: ignore[arg-type]

    assert answer.choices[0].message.content


def test_connections_past_the_cap_are_503(deps: Dependencies) -> None:
    with served(deps, max_connections=3) as server:
        idle = [raw(server) for _ in range(3)]
        time.sleep(0.5)  # accepted by the server's loop
        try:
            crowded = httpx.get(f"{server.base_url}/models", timeout=20)
        finally:
            for sock in idle:
                sock.close()
        time.sleep(0.5)
        served_again = httpx.get(f"{server.base_url}/models", timeout=20)

    assert crowded.status_code == 503
    assert served_again.status_code == 200


@pytest.mark.parametrize(
    ("name", "value"),
    [("body_timeout_s", 0), ("body_timeout_s", True), ("max_connections", 0), ("max_prompts", -1)],
)
def test_the_limits_must_be_positive(name: str, value: object) -> None:
    with pytest.raises(SpecError, match=f"{name} must be a positive"):
        ServerSettings(**{name: value})


# /v1/completions: a bounded list of prompts, stopped when the client hangs up.


def test_more_prompts_than_the_cap_are_refused(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    with (
        openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as sdk,
        pytest.raises(openai.BadRequestError) as caught,
    ):
        sdk.completions.create(model="support", prompt=["x"] * 17, max_tokens=1)

    assert caught.value.param == "prompt"
    assert "prompt holds 17 prompts; this server takes at most 16 per request" in caught.value.message
    assert provider_emulator.request_count() == 0


def test_the_prompt_cap_is_a_setting(deps: Dependencies, provider_emulator: ProviderEmulator) -> None:
    with served(deps, max_prompts=2) as server:
        two = httpx.post(
            f"{server.base_url}/completions", json={"model": "support", "prompt": ["a", "b"]}, timeout=20
        )
        three = httpx.post(
            f"{server.base_url}/completions", json={"model": "support", "prompt": ["a", "b", "c"]}, timeout=20
        )

    assert two.status_code == 200
    assert "at most 2 per request" in error_of(three, 400, "prompt")
    assert provider_emulator.request_count() == 2


def test_prompts_stop_when_the_client_hangs_up(
    server: RunningServer, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.default_reply = Reply(delay=0.5)
    body = {"model": "support", "prompt": ["x"] * 16, "max_tokens": 1}  # 8 s of calls, one after another
    with pytest.raises(httpx.TimeoutException):
        httpx.post(f"{server.base_url}/completions", json=body, timeout=1.2)
    left = provider_emulator.request_count()
    time.sleep(3)

    assert 1 <= provider_emulator.request_count() <= left + 1  # at most the call then in flight


def test_a_chat_call_is_stopped_when_its_client_hangs_up(
    server: RunningServer, provider_emulator: ProviderEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    provider_emulator.default_reply = Reply(delay=5)
    with caplog.at_level(logging.INFO, logger="llm_resolver_openai_server"):
        with pytest.raises(httpx.TimeoutException):
            httpx.post(f"{server.base_url}/chat/completions", json=CHAT, timeout=0.5)
        deadline = time.monotonic() + 4  # well before the provider would have answered
        while "the client hung up" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)

    assert "/v1/chat/completions" in caplog.text
    assert "the client hung up; its call was stopped" in caplog.text


# llm-resolver serve: the settings as options.


def test_serve_takes_the_limits_as_options() -> None:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(
        [
            "serve",
            "--spec",
            "x.yaml",
            "--body-timeout",
            "5",
            "--max-connections",
            "64",
            "--max-prompts",
            "4",
            "--allowed-origin",
            "https://a.example",
            "--allowed-origin",
            "http://localhost:3000",
        ]
    )
    defaults = parser.parse_args(["serve", "--spec", "x.yaml"])

    assert (args.body_timeout, args.max_connections, args.max_prompts) == (5.0, 64, 4)
    assert args.allowed_origins == ["https://a.example", "http://localhost:3000"]
    assert (defaults.body_timeout, defaults.max_connections, defaults.max_prompts) == (30.0, 512, 16)
    assert defaults.allowed_origins == []
