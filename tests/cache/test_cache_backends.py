"""The backends on their own: LRU and expiry in memory and in SQLite, shared files, stored entries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from llm_resolver.cache import CachedReply, CacheSettings, MemoryCache, ResponseCache, SQLiteCache
from llm_resolver.types.messages import Message, Role, ToolCall
from llm_resolver.types.responses import ChatResponse, Usage

from .conftest import FakeClock


def test_memory_evicts_the_least_recently_used() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("a", b"1", None)
    cache.set("b", b"2", None)
    assert cache.get("a") == b"1"  # a is now the most recent
    cache.set("c", b"3", None)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), len(cache)) == (b"1", b"3", 2)


def test_memory_entries_expire() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock)
    cache.set("short", b"s", 5)
    cache.set("forever", b"f", None)
    clock.now += 4.9
    assert cache.get("short") == b"s"
    clock.now += 0.2
    assert cache.get("short") is None
    assert cache.get("forever") == b"f"
    assert len(cache) == 1  # the expired entry is gone, not just hidden


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_max_entries_must_be_a_positive_whole_number(bad: object, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemoryCache(max_entries=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_entries"):
        SQLiteCache(tmp_path / "c.db", max_entries=bad)  # type: ignore[arg-type]


def test_sqlite_round_trip_and_expiry(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = SQLiteCache(tmp_path / "nested" / "c.db", clock=clock)
    cache.set("k", b"\x00value", 10)
    cache.set("k2", b"v2", None)
    assert cache.get("k") == b"\x00value"
    clock.now += 11
    assert cache.get("k") is None
    assert cache.get("k2") == b"v2"
    assert cache.get("missing") is None
    assert len(cache) == 1
    cache.close()


def test_sqlite_keeps_at_most_max_entries_dropping_the_least_recently_used(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = SQLiteCache(tmp_path / "c.db", max_entries=3, clock=clock)
    for key in "abc":
        clock.now += 1
        cache.set(key, key.encode(), None)
    clock.now += 1
    assert cache.get("a") == b"a"  # refreshed: b is now the oldest
    for key in "de":
        clock.now += 1
        cache.set(key, key.encode(), None)
    assert len(cache) == 3
    assert [cache.get(k) for k in "abcde"] == [b"a", None, None, b"d", b"e"]


def test_sqlite_is_shared_by_processes(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    script = (
        "import sys; from llm_resolver.cache import SQLiteCache; "
        "SQLiteCache(sys.argv[1]).set('from-child', b'hello', None)"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60)
    assert SQLiteCache(path).get("from-child") == b"hello"


def reply(**fields: object) -> ChatResponse:
    return ChatResponse(
        message=Message(role=Role.ASSISTANT, content="hi there"),
        finish_reason="stop",
        model="openai/gpt-4o-mini",
        usage=Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5),
        cost_usd=1e-6,
        **fields,
    )


def test_a_stored_reply_comes_back_as_a_free_cached_response() -> None:
    original = reply()
    stored = CachedReply.from_bytes(CachedReply.of(original, ["hi ", "there"]).to_bytes())
    assert stored is not None
    hit = stored.response(0.002)
    assert (hit.text, hit.model, hit.usage, hit.finish_reason) == (
        "hi there",
        original.model,
        original.usage,
        "stop",
    )
    assert (hit.cached, hit.cost_usd) == (True, 0.0)
    assert [(a.outcome, a.latency_s) for a in hit.attempts] == [("cached", 0.002)]
    assert [(c.text, c.finish_reason) for c in stored.chunks()] == [("hi ", None), ("there", "stop")]


def test_tool_calls_survive_storage_and_replay_as_deltas() -> None:
    calls = [
        ToolCall(id="c1", name="weather", arguments={"city": "Oslo"}),
        ToolCall(id="c2", name="broken", raw_arguments="{not json"),
    ]
    original = ChatResponse(
        message=Message(role=Role.ASSISTANT, tool_calls=calls), finish_reason="tool_calls", model="m"
    )
    stored = CachedReply.from_bytes(CachedReply.of(original).to_bytes())
    assert stored is not None
    assert stored.response(0.0).tool_calls == calls
    [chunk] = stored.chunks()
    assert [(d.index, d.id, d.name, d.arguments) for d in chunk.tool_calls] == [
        (0, "c1", "weather", '{"city": "Oslo"}'),
        (1, "c2", "broken", "{not json"),
    ]
    assert chunk.finish_reason == "tool_calls"


def test_an_empty_reply_replays_as_one_finishing_chunk() -> None:
    empty = ChatResponse(message=Message(role=Role.ASSISTANT), finish_reason="length", model="m")
    [chunk] = CachedReply.of(empty).chunks()
    assert (chunk.text, chunk.finish_reason) == ("", "length")


def test_entries_of_another_version_or_unreadable_ones_are_misses(tmp_path: Path) -> None:
    assert CachedReply.from_bytes(b'{"v": 999}') is None
    backend = MemoryCache()
    cache = ResponseCache(backend, CacheSettings("memory"))
    backend.set("garbage", b"\xff not json", None)
    backend.set("old", b'{"v": 0, "message": {}}', None)
    assert cache.get("garbage") is None
    assert cache.get("old") is None
    cache.put("good", CachedReply.of(reply()))
    assert cache.get("good") is not None  # unreadable entries did not pause the cache
