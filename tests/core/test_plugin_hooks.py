"""Call-time hooks on real calls: before_request chaining, after_response and on_error observers."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from llm_resolver import (
    CallContext,
    ChatRequest,
    ChatResponse,
    LiteLLM,
    LiteLLMResolver,
    LLMAuthenticationError,
    LLMServiceError,
    Message,
    PluginError,
    Scope,
    hookimpl,
)
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import OPENAI_KEY, openai_props


class Tagger:
    """Appends its tag to the last message, so the order the plugins ran in shows in the request."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.seen: list[str] = []

    @hookimpl
    def before_request(self, request: ChatRequest, context: CallContext) -> ChatRequest:
        last = request.messages[-1]
        self.seen.append(str(last.content))
        tagged = last.model_copy(update={"content": f"{last.content} [{self.tag}]"})
        return request.model_copy(update={"messages": [*request.messages[:-1], tagged]})


class SystemPrompt:
    @hookimpl
    def before_request(self, request: ChatRequest) -> ChatRequest:
        return request.model_copy(
            update={"messages": [Message.system("be brief"), *request.messages], "temperature": 0.25}
        )


class LeavesAlone:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def before_request(self, request: ChatRequest, context: CallContext) -> None:
        self.calls += 1


class Observer:
    def __init__(self) -> None:
        self.responses: list[tuple[ChatResponse, CallContext]] = []
        self.errors: list[tuple[Exception, CallContext]] = []

    @hookimpl
    def after_response(self, response: ChatResponse, context: CallContext) -> None:
        self.responses.append((response, context))

    @hookimpl
    def on_error(self, error: Exception, context: CallContext) -> None:
        self.errors.append((error, context))


class Raises:
    @hookimpl
    def after_response(self, response: ChatResponse) -> None:
        raise RuntimeError(f"observer bug while holding {OPENAI_KEY}")

    @hookimpl
    def on_error(self, error: Exception) -> None:
        raise KeyError("observer bug")


def llm_with(
    emu: ProviderEmulator, *plugins: object, env: dict[str, str] | None = None, **props: Any
) -> LiteLLM:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "", **(env or {})})
    manager.load_entrypoints()
    for i, plugin in enumerate(plugins):
        manager.register(plugin, f"p{i}")
    resolver = LiteLLMResolver(plugins=manager, env={}, **openai_props(emu, **props))
    return resolver.get_or_resolve(Scope(org="acme", agent="a1"))


def sent_body(emu: ProviderEmulator) -> dict[str, Any]:
    body = emu.requests[-1].body
    assert body is not None
    return body


def test_before_request_changes_what_is_sent(emu: ProviderEmulator) -> None:
    llm = llm_with(emu, SystemPrompt())
    llm.complete("hello")
    body = sent_body(emu)
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello"},
    ]
    assert body["temperature"] == 0.25


def test_before_request_implementations_chain(emu: ProviderEmulator) -> None:
    first, second = Tagger("first"), Tagger("second")
    llm = llm_with(emu, first, second, LeavesAlone())
    assert llm.complete("hi").text == "echo: hi [second] [first]"
    assert sent_body(emu)["messages"] == [{"role": "user", "content": "hi [second] [first]"}]
    # pluggy order (last registered first); each one sees what the one before it returned.
    assert second.seen == ["hi"]
    assert first.seen == ["hi [second]"]


def test_before_request_returning_none_changes_nothing(emu: ProviderEmulator) -> None:
    alone = LeavesAlone()
    llm = llm_with(emu, alone)
    llm.complete("same")
    assert sent_body(emu)["messages"] == [{"role": "user", "content": "same"}]
    assert alone.calls == 1


def test_before_request_returning_the_wrong_type_stops_the_call(emu: ProviderEmulator) -> None:
    class Wrong:
        @hookimpl
        def before_request(self, request: ChatRequest) -> Any:
            return {"messages": []}

    with pytest.raises(PluginError, match="before_request must return a ChatRequest or None, not dict"):
        llm_with(emu, Wrong()).complete("hi")
    assert emu.request_count() == 0


def test_before_request_that_raises_stops_the_call_naming_the_plugin(emu: ProviderEmulator) -> None:
    class Broken:
        @hookimpl
        def before_request(self, request: ChatRequest) -> None:
            raise ValueError("no quota table")

    with pytest.raises(PluginError) as caught:
        llm_with(emu, Broken()).complete("hi")
    assert caught.value.plugin == "p0"
    assert "plugin 'p0' failed in before_request: ValueError: no quota table" in str(caught.value)
    assert emu.request_count() == 0


def test_after_response_sees_every_response_with_its_context(emu: ProviderEmulator) -> None:
    emu.script(Reply(text="one", usage=(4, 1)), Reply(text="two"))
    observer = Observer()
    llm = llm_with(emu, observer)
    llm.complete("a")
    llm.complete("b", metadata={"trace": "t-1"})
    assert [r.text for r, _ in observer.responses] == ["one", "two"]
    response, context = observer.responses[0]
    assert response.usage.prompt_tokens == 4
    assert (context.scope, context.model, context.operation) == (
        Scope(org="acme", agent="a1"),
        "openai/gpt-4o-mini",
        "complete",
    )
    assert observer.responses[1][1].metadata == {"trace": "t-1"}
    assert observer.errors == []


def test_on_error_sees_each_failed_attempt(emu: ProviderEmulator) -> None:
    emu.script(Fault.server_error(), Reply(text="recovered"))
    observer = Observer()
    response = llm_with(emu, observer, max_retries=1).complete("hi")
    assert response.text == "recovered"
    assert emu.request_count() == 2
    assert len(observer.errors) == 1
    error, context = observer.errors[0]
    assert isinstance(error, LLMServiceError)
    assert error.status_code == 500
    assert (context.attempt_model, context.attempt_number) == ("openai/gpt-4o-mini", 1)
    assert [r.text for r, _ in observer.responses] == ["recovered"]


def test_on_error_sees_a_final_failure_once(emu: ProviderEmulator) -> None:
    emu.script(Fault.auth())
    observer = Observer()
    with pytest.raises(LLMAuthenticationError) as caught:
        llm_with(emu, observer, max_retries=2).complete("hi")
    assert [e for e, _ in observer.errors] == [caught.value]
    assert observer.responses == []


@pytest.mark.usefixtures("litellm_async_clients")
async def test_hooks_run_on_async_calls_too(emu: ProviderEmulator) -> None:
    emu.script(Fault.server_error(), Reply(text="async ok"))
    observer, tagger = Observer(), Tagger("t")
    response = await llm_with(emu, observer, tagger, max_retries=1).acomplete("hey")
    assert response.text == "async ok"
    assert sent_body(emu)["messages"] == [{"role": "user", "content": "hey [t]"}]
    assert len(observer.errors) == 1
    assert [r.text for r, _ in observer.responses] == ["async ok"]
    assert observer.responses[0][1].operation == "acomplete"


def test_an_observer_that_raises_is_logged_not_fatal(
    emu: ProviderEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu.script(Fault.server_error(), Reply(text="fine"))
    observer = Observer()
    llm = llm_with(emu, Raises(), observer, max_retries=1)
    with caplog.at_level(logging.WARNING, logger="llm_resolver"):
        response = llm.complete("hi")
    assert response.text == "fine"
    assert len(observer.errors) == 1  # the other observers still ran
    assert len(observer.responses) == 1
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("llm_resolver")]
    assert any("'p0' failed in after_response: RuntimeError: observer bug" in m for m in messages)
    assert any("'p0' failed in on_error: KeyError: 'observer bug'" in m for m in messages)
    assert all(OPENAI_KEY not in m for m in messages)
    assert llm.plugins is not None
    status = {s.name: s for s in llm.plugins.statuses}
    assert status["p0"].runtime_failures == 2  # on_error, then after_response
    assert (status["p0"].last_runtime_error or "").startswith("after_response: RuntimeError: observer bug")
    assert status["p1"].runtime_failures == 0


def test_an_observer_that_raises_fails_the_call_in_strict_mode(emu: ProviderEmulator) -> None:
    with pytest.raises(PluginError, match="'p0' failed in after_response: RuntimeError"):
        llm_with(emu, Raises(), env={"LLM_RESOLVER_STRICT_PLUGINS": "1"}).complete("hi")


def test_hooks_called_through_pluggys_own_relay_keep_each_plugin_isolated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The rules live in what pluggy calls, not around it: a call through ``manager.hook`` (pluggy's
    relay, what pluggy's tracing and monitoring see) isolates a failing observer too."""
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    observer = Observer()
    manager.register(Raises(), "p0")
    manager.register(observer, "p1")
    context = CallContext(scope=Scope(), model="openai/gpt-4o-mini", operation="complete")
    error = LLMServiceError("down", status_code=503)

    with caplog.at_level(logging.WARNING, logger="llm_resolver"):
        manager.hook.on_error(error=error, context=context)
        manager.on_error(error, context)

    assert observer.errors == [(error, context), (error, context)]
    assert {s.name: s for s in manager.statuses}["p0"].runtime_failures == 2
    assert sum("'p0' failed in on_error" in r.getMessage() for r in caplog.records) == 2


def test_the_typed_hooks_chain_and_observe_without_an_llm() -> None:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    first, second, observer = Tagger("first"), Tagger("second"), Observer()
    for i, plugin in enumerate((first, second, observer)):
        manager.register(plugin, f"p{i}")
    context = CallContext(scope=Scope(), model="openai/gpt-4o-mini", operation="complete")

    changed = manager.before_request(ChatRequest(messages=[Message.user("hi")]), context)
    response = ChatResponse(message=Message.assistant("fine"), model="openai/gpt-4o-mini")
    manager.after_response(response, context)

    assert changed.messages[-1].content == "hi [second] [first]"
    assert observer.responses == [(response, context)]
