"""What the stages do around the backend, on the scripted backend: a broken stream reports the
attempt it ended, failed attempts reach meters and on_error in order, the wire form is the same for
every retry, keys the cache, and carries no credentials."""

from __future__ import annotations

from typing import Any

import pytest

from llm_resolver import ChatResponse, LiteLLMResolver, LLMConnectionError, LLMServiceError, hookimpl
from llm_resolver.backend.litellm_backend import LiteLLMBackend
from llm_resolver.backend.port import Backend
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import Fail, Reply, ScriptedBackend
from llm_resolver.types.context import CallContext
from tests.helpers import MODES, call
from tests.pipeline.conftest import FALLBACK, PRIMARY, MakeLLM


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_stream_broken_after_its_first_chunk_raises_with_the_attempt_it_ended(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    backend.script(PRIMARY, Fail(LLMConnectionError, after_chunks=1))
    llm = make_llm(max_retries=2, fallback_models=[FALLBACK])
    with pytest.raises(LLMConnectionError) as caught:
        await call(llm, mode, "one two three four")
    error = caught.value
    assert error.partial_text == "echo: "
    assert [(a.model, a.outcome, a.error_type) for a in error.attempts] == [
        (PRIMARY, "error", "LLMConnectionError")
    ]
    assert len(backend.sent) == 1  # chunks were delivered: no retry, no fallback
    totals = llm.meter.totals()
    assert (totals.calls, totals.errors) == (1, 1)
    assert totals.prompt_tokens > 0  # what was streamed is billed


class Hooks:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    @hookimpl
    def on_error(self, error: Exception, context: CallContext) -> None:
        self.seen.append((type(error).__name__, context.attempt_model or "", context.attempt_number))

    @hookimpl
    def after_response(self, response: ChatResponse, context: CallContext) -> None:
        self.seen.append(("response", response.model, context.attempt_number))


@pytest.mark.parametrize("mode", MODES)
async def test_failed_attempts_reach_on_error_and_the_meters_in_order(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    hooks = Hooks()
    plugins = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    plugins.register(hooks, "hooks")
    backend.script(PRIMARY, LLMServiceError, LLMServiceError)
    llm = make_llm(max_retries=1, fallback_models=[FALLBACK], plugins=plugins)
    await call(llm, mode)
    assert hooks.seen == [
        ("LLMServiceError", PRIMARY, 1),
        ("LLMServiceError", PRIMARY, 2),
        ("response", FALLBACK, 2),
    ]
    primary, fallback = llm.meter.totals(model=PRIMARY), llm.meter.totals(model=FALLBACK)
    assert (primary.calls, primary.errors, fallback.calls, fallback.errors) == (2, 2, 1, 0)


@pytest.mark.parametrize("mode", MODES)
async def test_the_wire_form_is_the_same_for_every_retry_and_carries_no_credentials(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    backend.script(PRIMARY, LLMServiceError)
    await call(make_llm(temperature=0.2, max_retries=1), mode, "hi")
    first, retry = backend.to(PRIMARY)
    assert first.wire == retry.wire
    assert first.wire["messages"] == [{"role": "user", "content": "hi"}]
    assert first.wire["temperature"] == 0.2
    assert not {"api_key", "extra_headers", "timeout", "stream"} & set(first.wire)


@pytest.mark.parametrize("mode", MODES)
async def test_a_repeated_request_is_answered_from_the_cache_without_a_request(
    make_llm: MakeLLM, backend: ScriptedBackend, mode: str
) -> None:
    backend.script(PRIMARY, Reply(text="remembered"))
    llm = make_llm(cache="memory")
    first = await call(llm, mode, "same question")
    again = await call(llm, mode, "same question")
    assert (first.text, again.text) == ("remembered", "remembered")
    assert again.cached
    assert len(backend.sent) == 1
    await call(llm, mode, "another question")
    assert len(backend.sent) == 2


def test_a_resolver_takes_a_backend_and_defaults_to_litellm_s(backend: ScriptedBackend) -> None:
    settings: dict[str, Any] = {"model": PRIMARY, "api_key": "sk-test-key-123456", "env": {}}
    scripted = LiteLLMResolver(backend=backend, **settings).get_or_resolve()
    assert scripted.complete("hi").text == "echo: hi"
    assert [s.model for s in backend.sent] == [PRIMARY]
    assert isinstance(LiteLLMResolver(**settings).get_or_resolve().core.backend, LiteLLMBackend)
    assert isinstance(backend, Backend)
