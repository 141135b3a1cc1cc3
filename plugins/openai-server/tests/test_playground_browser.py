"""The playground in a real headless Chromium (Debian's ``chromium``, driven by Playwright): a person
picks a model, sends prompts, and sees the streamed answer, its usage, cost, attempts and time to first
token, with the server in front of the provider emulator."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Header, HTTPException
from llm_resolver_openai_server import ServerSettings, create_app
from llm_resolver_openai_server.access import Keys
from llm_resolver_openai_server.catalog_routes import catalog_router
from llm_resolver_openai_server.playground import playground_router
from llm_resolver_openai_server.routes import router
from llm_resolver_openai_server.server_deps import Caller, ServerDeps
from playwright.sync_api import Browser, Page, expect, sync_playwright

from llm_resolver import Dependencies
from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import CLIENT_KEY, UPSTREAM_KEY, builtin_only, models
from .test_catalog_routes import served

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A 2x2 red PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)  # the first call in a process imports LiteLLM: seconds
_MS = re.compile(r"^(\d+ ms|\d+\.\d\d s)$")


def _attempt(model: str, *words: str) -> re.Pattern[str]:
    """An attempt line: model, outcome and any error words, then its latency."""
    return re.compile("^" + re.escape(" · ".join((model, *words))) + r" · (\d+ ms|\d+\.\d\d s)$")


def specs(emu: ProviderEmulator) -> dict[str, Any]:
    """The conftest's models, and one whose primary fails over to a fallback."""
    resilient = {
        "class_name": "litellm",
        "properties": {
            "model": "openai/gpt-4o",
            "fallback_models": ["openai/gpt-4o-mini"],
            "api_base": emu.openai_base,
            "api_key": UPSTREAM_KEY,
            "max_retries": 0,
            "retry": {"initial_wait": 0, "jitter": 0},
        },
    }
    return {**models(emu), "resilient": resilient}


@contextlib.contextmanager
def playground_server(deps: Dependencies, keys: Keys) -> Iterator[str]:
    """The server's own application with the catalog and playground routers; yields the page's URL."""
    app = create_app(deps, ServerSettings(api_keys=keys))
    with served(app) as url:
        yield f"{url}/playground"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail(
            "the browser tests need Debian's chromium and it is not installed: run scripts/install-chromium "
            "(apt-get install -y chromium)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    failures: list[str] = []
    opened.on("pageerror", lambda error: failures.append(str(error)))
    yield opened
    context.close()
    assert failures == [], f"the page's JavaScript failed: {failures}"


@pytest.fixture
def playground_deps(provider_emulator: ProviderEmulator) -> Dependencies:
    return Dependencies.from_dict(specs(provider_emulator), plugins=builtin_only(), env={})


@pytest.fixture
def url(playground_deps: Dependencies) -> Iterator[str]:
    with playground_server(playground_deps, {}) as address:
        yield address


def open_playground(page: Page, address: str, key: str = "", model: str = "support") -> None:
    page.goto(address)
    if key:
        page.fill("#key", key)
        page.dispatch_event("#key", "change")
    expect(page.locator("#server-models option")).to_have_count(3)
    page.select_option("#model", model)


def send(page: Page, text: str) -> None:
    page.fill("#prompt", text)
    page.click("#send")


def last_answer(page: Page) -> Any:
    return page.locator("#log .turn.assistant").last


def meta(page: Page, name: str) -> Any:
    return last_answer(page).locator(f'dd[data-meta="{name}"]')


def eventually(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.05)


def artifact(tmp_path: Path, name: str) -> Path:
    """Where a screenshot goes: PLAYGROUND_ARTIFACTS when set (CI keeps it), else the test's own folder."""
    folder = Path(os.environ.get("PLAYGROUND_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_a_streamed_answer_with_its_usage_cost_attempts_and_time_to_first_token(
    page: Page, url: str, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(
        Reply(text="The sky looks blue because air scatters blue light most.", chunks=6, usage=(21, 9))
    )
    open_playground(page, url)
    page.fill("#system", "Answer in one sentence.")
    page.fill("#temperature", "0.3")
    page.fill("#max-tokens", "64")

    send(page, "Why is the sky blue?")

    expect(last_answer(page).locator(".text")).to_have_text(
        "The sky looks blue because air scatters blue light most."
    )
    expect(meta(page, "Answered by")).to_have_text("openai/gpt-4o-mini")
    expect(meta(page, "Tokens")).to_have_text("21 prompt + 9 completion = 30")
    expect(meta(page, "Cost")).to_have_text("$0.00000855")  # 21 x $0.15/M + 9 x $0.60/M
    expect(meta(page, "Time to first token")).to_have_text(_MS)
    expect(last_answer(page).locator(".attempt")).to_have_text([_attempt("openai/gpt-4o-mini", "ok")])
    expect(page.locator("#error")).to_be_hidden()
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["stream"] is True
    assert sent["messages"] == [
        {"role": "system", "content": "Answer in one sentence."},
        {"role": "user", "content": "Why is the sky blue?"},
    ]
    assert (sent["temperature"], sent["max_tokens"]) == (0.3, 64)


def test_a_second_turn_keeps_the_history(page: Page, url: str, provider_emulator: ProviderEmulator) -> None:
    open_playground(page, url)
    send(page, "My name is Ada.")
    expect(last_answer(page).locator(".text")).to_have_text("echo: My name is Ada.")

    send(page, "What is my name?")

    expect(page.locator("#log .turn")).to_have_count(4)
    expect(last_answer(page).locator(".text")).to_have_text("echo: What is my name?")
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["messages"] == [
        {"role": "user", "content": "My name is Ada."},
        {"role": "assistant", "content": "echo: My name is Ada."},
        {"role": "user", "content": "What is my name?"},
    ]

    page.click("#clear")
    send(page, "Fresh start")
    expect(last_answer(page).locator(".text")).to_have_text("echo: Fresh start")
    expect(page.locator("#log .turn")).to_have_count(2)
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["messages"] == [{"role": "user", "content": "Fresh start"}]


def test_switching_model_shows_a_fallback_in_the_attempts(
    page: Page, url: str, provider_emulator: ProviderEmulator, tmp_path: Path
) -> None:
    provider_emulator.script(Fault(status=500), model="gpt-4o")
    open_playground(page, url, model="resilient")

    send(page, "hello")

    expect(meta(page, "Answered by")).to_have_text("openai/gpt-4o-mini")
    expect(last_answer(page).locator(".attempt")).to_have_text(
        [
            _attempt("openai/gpt-4o", "error", "LLMServiceError", "HTTP 500"),
            _attempt("openai/gpt-4o-mini", "ok"),
        ]
    )

    page.select_option("#model", "claude")
    send(page, "and you?")
    expect(meta(page, "Answered by")).to_have_text("anthropic/claude-haiku-4-5")
    assert provider_emulator.requests[-1].provider == "anthropic"
    shot = artifact(tmp_path, "playground.png")
    page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_a_bad_key_shows_the_servers_401(
    page: Page, playground_deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    keys: Keys = {CLIENT_KEY: None}
    with playground_server(playground_deps, keys) as address:
        page.goto(address)
        page.fill("#key", "not-the-key")
        page.dispatch_event("#key", "change")
        error = page.locator("#error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("HTTP 401 · invalid_api_key")
        expect(error).to_contain_text("a valid API key is required")

        page.fill("#prompt", "hello")
        page.evaluate("document.getElementById('model').append(new Option('support', 'support', true, true))")
        page.click("#send")
        expect(error).to_contain_text("HTTP 401 · invalid_api_key")
        expect(page.locator("#prompt")).to_have_value("hello")  # kept, to resend with the right key
        expect(page.locator("#log .turn")).to_have_count(0)
        assert provider_emulator.request_count() == 0

        open_playground(page, address, key=CLIENT_KEY)
        expect(error).to_be_hidden()
        page.reload()
        expect(page.locator("#key")).to_have_value(CLIENT_KEY)  # kept for the tab, in sessionStorage
        expect(page.locator("#server-models option")).to_have_count(3)
        page.select_option("#model", "support")
        send(page, "now with a key")
        expect(last_answer(page).locator(".text")).to_have_text("echo: now with a key")


def test_an_attached_image_reaches_the_provider_as_an_image_part(
    page: Page, url: str, provider_emulator: ProviderEmulator
) -> None:
    open_playground(page, url)
    page.set_input_files("#image", files=[{"name": "red.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.locator("#image-preview")).to_be_visible()

    send(page, "What colour is this?")

    expect(last_answer(page).locator(".text")).to_have_text("echo: What colour is this?")
    expect(page.locator("#log .turn.user img.attached")).to_have_count(1)
    expect(page.locator("#image-preview")).to_be_hidden()
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    content = sent["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "What colour is this?"}
    assert content[1]["type"] == "image_url"
    assert content[1]["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()


def test_a_structured_answer_asks_for_the_schema(
    page: Page, url: str, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text='{"answer": "42"}'))
    open_playground(page, url)
    page.select_option("#response-format", "json_schema")
    expect(page.locator("#schema")).to_be_visible()

    send(page, "The answer?")

    expect(last_answer(page).locator(".text")).to_have_text('{"answer": "42"}')
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    schema = sent["response_format"]["json_schema"]
    assert sent["response_format"]["type"] == "json_schema"
    assert schema["name"] == "response"
    assert schema["schema"]["required"] == ["answer"]


def test_a_listed_model_shows_its_card_from_the_catalog(
    page: Page, url: str, provider_emulator: ProviderEmulator
) -> None:
    open_playground(page, url)
    page.select_option("#provider", "openai")
    page.click("#list-models")

    expect(page.locator("#listing-status")).to_have_text("3 models from the endpoint")
    expect(page.locator("#listed-models option")).to_have_count(3)
    page.select_option("#model", "openai/gpt-4o-mini")
    card = page.locator("#model-card")
    expect(card).to_contain_text("openai/gpt-4o-mini")
    expect(card).to_contain_text("$0.15 / M")
    expect(card).to_contain_text("$0.6 / M")

    page.click("#list-models")
    expect(page.locator("#listing-status")).to_contain_text("from the cache")
    provider_emulator.models = ["gpt-4o-mini", "gpt-9"]
    page.click("#refresh-models")
    expect(page.locator("#listing-status")).to_have_text("2 models from the endpoint")


def test_a_listed_model_the_server_does_not_serve_gets_its_404(
    page: Page, url: str, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.models = ["gpt-4o", "gpt-4o-mini"]
    open_playground(page, url)
    page.select_option("#provider", "openai")
    page.click("#list-models")
    page.select_option("#model", "openai/gpt-4o")

    send(page, "hello")

    error = page.locator("#error")
    expect(error).to_contain_text("HTTP 404 · model_not_found")
    expect(error).to_contain_text("this server has: claude, resilient, support")
    expect(error).to_contain_text("Field: model")
    assert provider_emulator.request_count(path_contains="/chat") == 0


def test_an_error_in_the_middle_of_a_stream_is_shown(
    page: Page, url: str, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault(kind="drop_mid_stream", after_chunks=2))
    open_playground(page, url)

    send(page, "tell me a long story")

    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("upstream")
    expect(page.locator("#log .turn")).to_have_count(0)  # the turn did not happen: not in the history
    expect(page.locator("#prompt")).to_have_value("tell me a long story")


def start_a_slow_answer(page: Page, url: str, provider_emulator: ProviderEmulator) -> None:
    """A turn whose answer has begun and has seconds more to stream (a chunk every 2 s)."""
    provider_emulator.script(Reply(text="one two three four five six", chunks=6, chunk_delay=2.0))
    open_playground(page, url)
    send(page, "count slowly")
    expect(last_answer(page).locator(".text")).to_contain_text("one")


def test_stop_ends_a_slow_answer(page: Page, url: str, provider_emulator: ProviderEmulator) -> None:
    start_a_slow_answer(page, url, provider_emulator)

    page.click("#stop")

    expect(page.locator("#log .turn")).to_have_count(0)
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#send")).to_be_enabled()
    eventually(lambda: provider_emulator.abandoned_streams == 1)  # the provider's stream was closed too


def test_a_new_conversation_during_a_slow_answer_ends_it_and_keeps_none_of_it(
    page: Page, url: str, provider_emulator: ProviderEmulator
) -> None:
    start_a_slow_answer(page, url, provider_emulator)

    page.click("#clear")

    expect(page.locator("#log .turn")).to_have_count(0)
    expect(page.locator("#prompt")).to_have_value("")  # a new conversation, not a failed turn to resend
    eventually(lambda: provider_emulator.abandoned_streams == 1)
    send(page, "Fresh start")
    expect(last_answer(page).locator(".text")).to_have_text("echo: Fresh start")
    sent = provider_emulator.requests[-1].body
    assert sent is not None
    assert sent["messages"] == [{"role": "user", "content": "Fresh start"}]


def test_a_host_app_mounts_the_page_and_the_api_under_its_prefix(
    page: Page, playground_deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    host = FastAPI()

    def host_auth(x_team: str = Header(default="")) -> Caller:
        if x_team != "blue":
            raise HTTPException(403, "the blue team only")
        return Caller()

    shared = ServerDeps(playground_deps)
    host.include_router(router(shared, auth=host_auth), prefix="/llm")
    host.include_router(catalog_router(shared, auth=host_auth, env={}), prefix="/llm")
    host.include_router(playground_router(), prefix="/llm")
    page.context.set_extra_http_headers({"X-Team": "blue"})
    with served(host) as url:
        open_playground(page, f"{url}/llm/playground")
        send(page, "hello from the host")
        expect(last_answer(page).locator(".text")).to_have_text("echo: hello from the host")
        page.click("#list-models")
        expect(page.locator("#listing-status")).to_contain_text("models from the")


def test_the_cost_of_a_turn_is_estimated_before_it_is_sent(
    page: Page, url: str, playground_deps: Dependencies, provider_emulator: ProviderEmulator
) -> None:
    open_playground(page, url)
    page.fill("#system", "Be brief.")
    page.fill("#max-tokens", "100")
    page.fill("#prompt", "How tall is the Eiffel tower?")

    page.click("#estimate")

    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "How tall is the Eiffel tower?"},
    ]
    counted = playground_deps.get("support").count_tokens(messages)
    expect(page.locator("#estimate-result")).to_have_text(
        re.compile(
            rf"^About {counted} prompt tokens \+ up to 100 output tokens: \$0\.0000\d+ "
            r"\(priced as openai/gpt-4o-mini\)$"
        )
    )
    assert provider_emulator.request_count() == 0  # nothing was sent to the provider
