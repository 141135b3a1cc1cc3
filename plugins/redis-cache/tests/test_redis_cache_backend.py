"""The Redis backend against a real redis-server: storage, expiry, prefixes, failures, and the
response cache end to end through the plugin's entry point."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
from llm_resolver_redis_cache import RedisCache

from llm_resolver import LiteLLMResolver, SpecError
from llm_resolver.backend.loader import litellm
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator, Reply


@pytest.fixture
def prefix() -> str:
    """Each test its own key space on the shared server."""
    return f"test-{uuid.uuid4().hex[:8]}:"


def test_values_round_trip_and_expire(redis_url: str, prefix: str) -> None:
    cache = RedisCache(redis_url, prefix=prefix)
    cache.set("k", b"\x00\xffbytes", 0.2)
    cache.set("forever", b"f", None)
    assert cache.get("k") == b"\x00\xffbytes"
    assert cache.get("missing") is None
    time.sleep(0.3)
    assert cache.get("k") is None
    assert cache.get("forever") == b"f"
    cache.close()


def test_prefixes_keep_caches_apart(redis_url: str, prefix: str) -> None:
    RedisCache(redis_url, prefix=prefix + "a:").set("k", b"a", None)
    assert RedisCache(redis_url, prefix=prefix + "b:").get("k") is None
    assert RedisCache(redis_url, prefix=prefix + "a:").get("k") == b"a"


def test_an_unreachable_server_raises_quickly(prefix: str, unused_tcp_port: int) -> None:
    cache = RedisCache(f"redis://127.0.0.1:{unused_tcp_port}/0", prefix=prefix, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        cache.get("k")
    assert time.monotonic() - started < 2


@pytest.fixture
def plugins() -> PluginManager:
    """The built-in plugin and this one, loaded from their entry points."""
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "redis_cache"})
    manager.load_entrypoints()
    return manager


MakeResolver = Callable[..., LiteLLMResolver]


@pytest.fixture
def make_resolver(provider_emulator: ProviderEmulator, plugins: PluginManager) -> MakeResolver:
    def make(cache: Any) -> LiteLLMResolver:
        return LiteLLMResolver(
            plugins=plugins,
            env={},
            model="openai/gpt-4o-mini",
            api_base=provider_emulator.openai_base,
            api_key="k",
            max_retries=0,
            cache=cache,
        )

    return make


def test_responses_are_shared_through_redis(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, redis_url: str, prefix: str
) -> None:
    provider_emulator.default_reply = Reply(text="one two three", usage=(9, 3))
    setting = {"backend": "redis", "url": redis_url, "prefix": prefix, "ttl": 60}
    first = make_resolver(setting).get_or_resolve()
    second = make_resolver(setting).get_or_resolve()  # another resolver, as another process would
    live = first.stream("count")
    live_text = [c.text for c in live if c.text]
    replay = second.stream("count")
    assert [c.text for c in replay] == live_text
    assert replay.response.cached
    assert second.complete("count").cached
    assert provider_emulator.request_count() == 1


async def test_async_calls_use_redis_too(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, redis_url: str, prefix: str
) -> None:
    llm = make_resolver({"backend": "redis", "url": redis_url, "prefix": prefix}).get_or_resolve()
    assert not (await llm.acomplete("hello")).cached
    assert (await llm.acomplete("hello")).cached
    assert provider_emulator.request_count() == 1
    await litellm().close_litellm_async_clients()


def test_the_ttl_is_enforced_by_redis(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, redis_url: str, prefix: str
) -> None:
    llm = make_resolver({"backend": "redis", "url": redis_url, "prefix": prefix, "ttl": 0.2}).get_or_resolve()
    llm.complete("hello")
    assert llm.complete("hello").cached
    time.sleep(0.3)
    assert not llm.complete("hello").cached


def test_the_url_form_of_the_setting(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, redis_url: str
) -> None:
    llm = make_resolver(redis_url.replace("/0", "/1")).get_or_resolve()
    prompt = f"hello {uuid.uuid4().hex}"
    llm.complete(prompt)
    assert llm.complete(prompt).cached


def test_a_dead_server_never_fails_a_call(
    provider_emulator: ProviderEmulator,
    make_resolver: MakeResolver,
    caplog: pytest.LogCaptureFixture,
    unused_tcp_port: int,
) -> None:
    url = f"redis://127.0.0.1:{unused_tcp_port}/0"
    llm = make_resolver({"backend": "redis", "url": url, "timeout": 0.2}).get_or_resolve()
    with caplog.at_level(logging.WARNING):
        assert llm.complete("hello").text == "echo: hello"
        assert llm.complete("hello").text == "echo: hello"
    assert provider_emulator.request_count() == 2
    assert "response cache (redis) failed to read" in caplog.text


def test_bad_options_fail_when_the_spec_loads(make_resolver: MakeResolver, redis_url: str) -> None:
    with pytest.raises(SpecError, match="'redis' does not accept these options"):
        make_resolver({"backend": "redis", "url": redis_url, "max_entries": 10})
    with pytest.raises(SpecError, match="timeout must be a positive"):
        make_resolver({"backend": "redis", "url": redis_url, "timeout": 0})
    with pytest.raises(SpecError, match="could not be created"):
        make_resolver({"backend": "redis", "url": "http://not-redis"})


def test_the_password_is_masked_and_used(make_resolver: MakeResolver, redis_url: str) -> None:
    resolver = make_resolver({"backend": "redis", "url": redis_url, "password": "pw-" + "q" * 16})
    assert "pw-" not in repr(resolver.config)
    with pytest.raises(SpecError, match="do not put a password in the URL"):
        make_resolver(redis_url.replace("redis://", "redis://:pw-secret-value@"))


async def test_an_async_stream_stores_its_reply_off_the_loop(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, redis_url: str, prefix: str
) -> None:
    """The write at an async stream's end goes to a worker thread: a Redis that is slow to answer
    (here busy with DEBUG SLEEP) does not stall the event loop."""
    provider_emulator.default_reply = Reply(text="one two three", chunks=3)
    llm = make_resolver({"backend": "redis", "url": redis_url, "prefix": prefix}).get_or_resolve()
    await llm.acomplete("warm up the connection")
    busy = threading.Thread(
        target=lambda: redis.Redis.from_url(redis_url).execute_command("DEBUG", "SLEEP", "0.45")
    )
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    async with llm.astream("count") as stream:
        await anext(aiter(stream))
        busy.start()
        await asyncio.sleep(0.05)  # the server is now asleep; the stream's end writes to it
        ticker = asyncio.create_task(tick())
        async for _ in stream:
            pass
    await asyncio.sleep(0.3)
    ticker.cancel()
    busy.join()
    # On the loop, the write would have stalled it for the server's whole sleep (under the backend's
    # 0.5 s socket timeout, so the write still lands).
    assert max(gaps) < 0.2, f"the event loop stalled {max(gaps):.2f}s"
    for _ in range(100):  # the write lands once Redis wakes up
        if (await llm.acomplete("count")).cached:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the stream's reply was never cached")
    await litellm().close_litellm_async_clients()
