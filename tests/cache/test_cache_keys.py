"""Cache keys and the cache setting: what a key covers, what it leaves out, and every setting form."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from llm_resolver.cache.key import Uncacheable, request_key
from llm_resolver.config.cache import CacheSettings, parse_cache_setting

BASE = {
    "model": "openai/gpt-4o-mini",
    "messages": [{"role": "user", "content": "hi"}],
    "api_base": "http://127.0.0.1:9/v1",
    "temperature": 0.2,
}


def key(scope: str | None = "*/*/*", **changes: object) -> str:
    return request_key({**BASE, **changes}, scope)


def test_the_key_is_stable_and_ignores_dict_order() -> None:
    assert key() == key()
    assert request_key(dict(reversed(list(BASE.items()))), "*/*/*") == key()
    assert len(key()) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"model": "openai/gpt-4o"},
        {"api_base": "http://127.0.0.1:10/v1"},
        {"messages": [{"role": "user", "content": "hi!"}]},
        {"temperature": 0.3},
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
        {"tool_choice": "required"},
        {"response_format": {"type": "json_object"}},
        {"seed": 1},
        {"top_p": 0.5},
        {"stop": ["\n"]},
        {"reasoning_effort": "low"},  # provider options shape the answer too
    ],
)
def test_what_shapes_the_answer_changes_the_key(change: dict[str, object]) -> None:
    assert key(**change) != key()


@pytest.mark.parametrize(
    "change",
    [
        {"api_key": "sk-other"},
        {"timeout": 99},
        {"num_retries": 0, "max_retries": 0},
        {"stream": True, "stream_options": {"include_usage": True}},
        {"extra_headers": {"X-Trace": "1"}},
        {"organization": "org-1"},
        {"vertex_credentials": "secret-blob"},  # secret-named options never enter the key
    ],
)
def test_what_does_not_shape_the_answer_leaves_the_key(change: dict[str, object]) -> None:
    assert key(**change) == key()


def test_the_scope_is_in_the_key_unless_shared() -> None:
    assert key("acme/*/*") != key("globex/*/*")
    assert key(None) != key("acme/*/*")


class Reply(BaseModel):
    answer: int


class OtherReply(BaseModel):
    answer: str


def test_a_pydantic_response_format_is_keyed_by_its_schema() -> None:
    assert key(response_format=Reply) == key(response_format=Reply)
    assert key(response_format=Reply) != key(response_format=OtherReply)


def test_an_option_without_a_json_form_makes_the_request_uncacheable() -> None:
    with pytest.raises(Uncacheable):
        key(metadata_hook=object())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (False, None),
        (True, CacheSettings("memory")),
        ("memory", CacheSettings("memory")),
        ("sqlite:///cache.db", CacheSettings("sqlite", options={"path": "cache.db"})),
        ("sqlite:////var/cache/llm.db", CacheSettings("sqlite", options={"path": "/var/cache/llm.db"})),
        ("redis://cache:6379/1", CacheSettings("redis", options={"url": "redis://cache:6379/1"})),
        ({"ttl": 60}, CacheSettings("memory", ttl=60.0)),
        (
            {"backend": "sqlite", "path": "x.db", "max_entries": 5, "scoped": False},
            CacheSettings("sqlite", scoped=False, options={"path": "x.db", "max_entries": 5}),
        ),
    ],
)
def test_every_form_of_the_cache_setting(value: object, expected: CacheSettings | None) -> None:
    assert parse_cache_setting(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        {"ttl": float("inf")},
        {"ttl": True},
        {"max_entries": 2.5},
        {"backend": 5},
        {"url": "redis://user:pw@host"},
        ["memory"],
    ],
)
def test_bad_cache_settings_raise_value_errors(value: object) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        parse_cache_setting(value)
