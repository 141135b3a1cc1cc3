"""The response cache as callers see it: hits and misses in every call mode, what is kept apart,
what is never cached, stream replay, per-call bypass, TTL, and the SQLite backend."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from llm_resolver import (
    ChatResponse,
    LiteLLMConfig,
    LLMBadRequestError,
    LLMBudgetExceededError,
    LLMConnectionError,
    LLMServiceError,
    Scope,
    SpecError,
    Tool,
)
from llm_resolver.cache import CacheSettings, MemoryCache, ResponseCache
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.metering import InMemoryMeter, Metering
from llm_resolver.services import CallServices
from llm_resolver.testing import Fault, ProviderEmulator, Reply, ToolCallSpec

from .conftest import BackendPlugin, FakeClock, MakeResolver

MODES = ("complete", "acomplete", "stream", "astream")


async def ask(llm: LiteLLM, mode: str, prompt: str = "hello there", **options: object) -> ChatResponse:
    if mode == "complete":
        return llm.complete(prompt, **options)
    if mode == "acomplete":
        return await llm.acomplete(prompt, **options)
    if mode == "stream":
        stream = llm.stream(prompt, **options)
        assert "".join(c.text for c in stream) == stream.response.text
        return stream.response
    astream = llm.astream(prompt, **options)
    assert "".join([c.text async for c in astream]) == astream.response.text
    return astream.response


@pytest.mark.parametrize("mode", MODES)
async def test_a_repeated_request_is_answered_from_the_cache(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, mode: str, litellm_async_clients: None
) -> None:
    provider_emulator.default_reply = Reply(usage=(40, 8))
    resolver = make_resolver()
    llm = resolver.get_or_resolve()
    first = await ask(llm, mode)
    second = await ask(llm, mode)
    assert provider_emulator.request_count() == 1
    assert not first.cached
    assert second.cached
    assert (second.text, second.model, second.usage) == (first.text, first.model, first.usage)
    assert second.cost_usd == 0.0
    assert first.cost_usd is not None
    assert first.cost_usd > 0
    assert [(a.model, a.outcome) for a in second.attempts] == [("openai/gpt-4o-mini", "cached")]
    totals = resolver.meter.totals()
    assert (totals.calls, totals.cached, totals.prompt_tokens) == (2, 1, 40)  # a hit bills nothing
    assert resolver.meter.spend() == pytest.approx(first.cost_usd)


def test_different_requests_miss(provider_emulator: ProviderEmulator, make_resolver: MakeResolver) -> None:
    llm = make_resolver().get_or_resolve()
    llm.complete("hello")
    llm.complete("hello", temperature=0.2)
    llm.complete("hello", temperature=0.3)
    llm.complete("hello", max_tokens=5)
    llm.complete("hello", seed=7)
    llm.complete("hello", stop=["x"])
    llm.complete([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}])
    assert provider_emulator.request_count() == 7
    llm.complete("hello", temperature=0.2)
    assert provider_emulator.request_count() == 7


class Answer(BaseModel):
    value: int


def test_response_formats_are_kept_apart(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    llm = make_resolver().get_or_resolve()
    llm.complete("hello")
    llm.complete("hello", response_format={"type": "json_object"})
    assert provider_emulator.request_count() == 2
    assert llm.complete("hello", response_format={"type": "json_object"}).cached


WEATHER = Tool(
    "weather", "The weather in a city.", {"type": "object", "properties": {"city": {"type": "string"}}}
)
CLOCK = Tool("clock", "The time in a city.", {"type": "object", "properties": {"city": {"type": "string"}}})


def test_tool_using_and_plain_requests_are_kept_apart(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    provider_emulator.script(
        Reply(text="plain"),
        Reply(tool_calls=[ToolCallSpec("weather", {"city": "Oslo"})]),
        Reply(text="clock"),
    )
    llm = make_resolver().get_or_resolve()
    plain = llm.complete("weather in Oslo?")
    tooled = llm.complete("weather in Oslo?", tools=[WEATHER])
    other_tool = llm.complete("weather in Oslo?", tools=[CLOCK])
    assert provider_emulator.request_count() == 3
    assert plain.text == "plain"
    assert tooled.tool_calls[0].arguments == {"city": "Oslo"}
    assert other_tool.text == "clock"
    again = llm.complete("weather in Oslo?", tools=[WEATHER])
    assert again.cached
    assert again.tool_calls == tooled.tool_calls
    assert not llm.complete("weather in Oslo?", tools=[WEATHER], tool_choice="required").cached
    assert llm.complete("weather in Oslo?").text == "plain"
    assert provider_emulator.request_count() == 4


@pytest.mark.parametrize("mode", MODES)
async def test_errors_are_never_cached(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, mode: str, litellm_async_clients: None
) -> None:
    provider_emulator.script(Fault.server_error())
    llm = make_resolver().get_or_resolve()
    with pytest.raises(LLMServiceError):
        await ask(llm, mode)
    assert not (await ask(llm, mode)).cached
    assert (await ask(llm, mode)).cached
    assert provider_emulator.request_count() == 2


async def test_a_broken_stream_is_not_cached(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, litellm_async_clients: None
) -> None:
    provider_emulator.script(Fault.drop_mid_stream(after_chunks=2))
    llm = make_resolver().get_or_resolve()
    with pytest.raises(LLMConnectionError):
        await ask(llm, "astream", "one two three four five six")
    assert not (await ask(llm, "astream", "one two three four five six")).cached
    assert provider_emulator.request_count() == 2


def test_a_cached_stream_replays_its_chunks_then_the_response(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    provider_emulator.script(Reply(text="one two three four", usage=(12, 4)))
    llm = make_resolver().get_or_resolve()
    live = llm.stream("count")
    live_chunks = list(live)
    replay = llm.stream("count")
    assert replay.text == "" or replay.text  # reading .text before iterating does not fail
    replayed = list(replay)
    assert [c.text for c in replayed] == [c.text for c in live_chunks if c.text]
    assert len(replayed) > 1  # the pieces as they streamed, not one block
    assert replayed[-1].finish_reason == "stop"
    assert replay.response.cached
    assert replay.response.text == live.response.text == "one two three four"
    assert replay.response.usage == live.response.usage
    assert provider_emulator.request_count() == 1
    assert llm.complete("count").cached  # the same entry serves a plain call


async def test_a_plain_reply_replays_as_a_stream_with_its_tool_calls(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, litellm_async_clients: None
) -> None:
    provider_emulator.script(Reply(tool_calls=[ToolCallSpec("weather", {"city": "Oslo"}, id="call_1")]))
    llm = make_resolver().get_or_resolve()
    first = await llm.acomplete("Oslo?")
    stream = llm.astream("Oslo?")
    chunks = [c async for c in stream]
    assert [(d.id, d.name, d.arguments) for c in chunks for d in c.tool_calls] == [
        ("call_1", "weather", '{"city": "Oslo"}')
    ]
    assert chunks[-1].finish_reason == first.finish_reason == "tool_calls"
    assert stream.response.cached
    assert stream.response.tool_calls == first.tool_calls
    assert provider_emulator.request_count() == 1


@pytest.mark.parametrize("mode", MODES)
async def test_cache_false_bypasses_the_cache_for_one_call(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, mode: str, litellm_async_clients: None
) -> None:
    llm = make_resolver().get_or_resolve()
    await ask(llm, mode, cache=False)  # not stored ...
    assert not (await ask(llm, mode)).cached  # ... so this one misses and stores
    assert not (await ask(llm, mode, cache=False)).cached  # not read either
    assert (await ask(llm, mode)).cached
    assert provider_emulator.request_count() == 3


def test_the_per_call_cache_option_takes_only_booleans(make_resolver: MakeResolver) -> None:
    with pytest.raises(LLMBadRequestError, match="cache= takes True or False"):
        make_resolver().get_or_resolve().complete("hello", cache="no")


def test_without_a_cache_setting_nothing_is_cached(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    llm = make_resolver(cache=None).get_or_resolve()
    assert not llm.complete("hello").cached
    assert not llm.complete("hello").cached
    assert provider_emulator.request_count() == 2


def test_entries_expire_after_their_ttl(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    clock = FakeClock()
    config = LiteLLMConfig(model="openai/gpt-4o-mini", api_base=provider_emulator.openai_base, api_key="k")
    meter = InMemoryMeter()
    cache = ResponseCache(MemoryCache(clock=clock), CacheSettings("memory", ttl=60))
    llm = LiteLLM(config, services=CallServices(meter, Metering([meter]), cache))
    llm.complete("hello")
    clock.now += 59
    assert llm.complete("hello").cached
    clock.now += 2
    assert not llm.complete("hello").cached
    assert provider_emulator.request_count() == 2


def test_a_tiny_ttl_from_the_config_expires(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    llm = make_resolver(cache={"backend": "memory", "ttl": 0.05, "max_entries": 10}).get_or_resolve()
    llm.complete("hello")
    assert llm.complete("hello").cached
    time.sleep(0.1)
    assert not llm.complete("hello").cached


def test_scopes_do_not_share_entries_unless_told_to(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    scoped = make_resolver()
    scoped.get_or_resolve(Scope(org="acme")).complete("hello")
    assert not scoped.get_or_resolve(Scope(org="globex")).complete("hello").cached
    shared = make_resolver(cache={"backend": "memory", "scoped": False})
    shared.get_or_resolve(Scope(org="acme")).complete("hi")
    assert shared.get_or_resolve(Scope(org="globex")).complete("hi").cached
    assert provider_emulator.request_count() == 3


def test_the_sqlite_cache_is_shared_by_resolvers_and_survives_them(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/responses.db"  # sqlite:/// + an absolute path
    first = make_resolver(cache=url).get_or_resolve().complete("hello")
    second = make_resolver(cache={"backend": "sqlite", "path": str(tmp_path / "responses.db")})
    hit = second.get_or_resolve().complete("hello")
    assert hit.cached
    assert hit.text == first.text
    assert provider_emulator.request_count() == 1
    assert (tmp_path / "responses.db").is_file()


def test_a_hit_is_served_even_over_budget(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver
) -> None:
    provider_emulator.default_reply = Reply(usage=(5, 10))
    llm = make_resolver(budget_usd=1.1e-5, max_tokens=10).get_or_resolve()  # fits one call's estimate
    llm.complete("hello")
    assert llm.complete("hello").cached  # free, so allowed
    with pytest.raises(LLMBudgetExceededError):
        llm.complete("something new")
    assert provider_emulator.request_count() == 1


def test_a_failing_backend_never_fails_a_call_and_is_left_alone_for_a_while(
    provider_emulator: ProviderEmulator,
    make_resolver: MakeResolver,
    backend_plugin: BackendPlugin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    llm = make_resolver(cache={"backend": "broken"}).get_or_resolve()
    with caplog.at_level(logging.WARNING, logger="llm_resolver.cache.response_cache"):
        assert llm.complete("hello").text == "echo: hello"
        assert llm.complete("hello").text == "echo: hello"
    assert backend_plugin.broken.calls == 1  # the failed read paused it: no write, no second read
    assert provider_emulator.request_count() == 2
    assert "response cache (broken) failed to read, bypassing it for 30s" in caplog.text


def test_an_unknown_backend_lists_the_known_ones(make_resolver: MakeResolver) -> None:
    with pytest.raises(SpecError) as caught:
        make_resolver(cache="memcached://10.0.0.1:11211")
    assert caught.value.field == "cache"
    assert "unknown cache backend 'memcached'" in str(caught.value)
    assert "'broken', 'memory', 'sqlite'" in str(caught.value)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"backend": "memory", "ttl": 0}, "ttl must be a positive number"),
        ({"backend": "memory", "max_entries": 0}, "max_entries must be a whole number"),
        ({"backend": "memory", "scoped": "yes"}, "scoped must be true or false"),
        ({"backend": ""}, "backend must be a backend name"),
        ("sqlite:///", "needs a file path"),
        ("redis://:hunter2hunter2@cache:6379/0", "do not put a password in the URL"),
        (3, "use true/false, 'memory'"),
    ],
)
def test_bad_cache_settings_are_spec_errors(
    make_resolver: MakeResolver, setting: object, message: str
) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        make_resolver(cache=setting)
    assert caught.value.field == "cache"
    assert "hunter2" not in str(caught.value)


def test_options_a_backend_does_not_take_are_named(make_resolver: MakeResolver) -> None:
    with pytest.raises(SpecError, match="'memory' does not accept these options") as caught:
        make_resolver(cache={"backend": "memory", "url": "x://y"})
    assert "it takes: max_entries, clock" in str(caught.value)


def test_secret_cache_options_are_masked() -> None:
    config = LiteLLMConfig(model="m", cache={"backend": "redis", "password": "pw-" + "z" * 20})
    assert "pw-" not in repr(config)
    assert "pw-" not in str(config.model_dump())
    assert "pw-" + "z" * 20 in config.secret_values()
