"""How the backend reads LiteLLM's reply objects: its fast attribute read answers exactly what
``getattr(obj, name, None)`` would, for every kind of attribute a pydantic model has, and LiteLLM's
own chunk and reply objects, built directly, convert to the right values."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, PrivateAttr

from llm_resolver.backend.convert import _attr, delta_from, reply_from, usage_from
from llm_resolver.backend.loader import litellm
from llm_resolver.types.responses import ChatChunk, ToolCallDelta, Usage


class Open(BaseModel):
    """Extras allowed, a private attribute, a property and a dropped field: what LiteLLM's types use."""

    model_config = ConfigDict(extra="allow")
    kept: int | None = 1
    dropped: int | None = 2
    _hidden: dict[str, int] = PrivateAttr(default_factory=lambda: {"cost": 3})

    @property
    def derived(self) -> str:
        return "from the class"


class Closed(BaseModel):
    """Extras ignored and nothing private: the read falls back to getattr."""

    kept: int = 1

    @property
    def derived(self) -> str:
        return "from the class"


def _open() -> Open:
    built = Open(extra_value=4)
    del built.dropped  # LiteLLM deletes unset fields this way
    return built


NAMES = ["kept", "dropped", "extra_value", "_hidden", "derived", "model_copy", "missing", "__class__"]


@pytest.mark.parametrize(
    "obj",
    [_open(), Closed(), SimpleNamespace(kept=1, derived="plain"), {"kept": 1}, None, 7],
    ids=["open pydantic", "closed pydantic", "namespace", "dict", "None", "int"],
)
def test_the_fast_read_answers_what_getattr_answers(obj: Any) -> None:
    assert [_attr(obj, name) for name in NAMES] == [getattr(obj, name, None) for name in NAMES]


def test_a_property_added_to_a_class_later_is_found() -> None:
    assert _attr(_open(), "late") is None
    Open.late = property(lambda self: "added")  # type: ignore[attr-defined]
    try:
        assert _attr(_open(), "late") == "added"
    finally:
        del Open.late  # type: ignore[attr-defined]


def test_litellm_s_stream_chunks_convert_with_their_text_tool_calls_and_usage() -> None:
    types = litellm().types.utils
    text = types.ModelResponseStream(choices=[{"index": 0, "delta": {"content": "Hel", "role": "assistant"}}])
    call = types.ModelResponseStream(
        choices=[
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {"index": 1, "id": "call_9", "function": {"name": "lookup", "arguments": '{"q"'}}
                    ]
                },
                "finish_reason": "tool_calls",
            }
        ]
    )
    usage_only = types.ModelResponseStream(
        choices=[], usage={"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
    )

    assert delta_from(text).chunk == ChatChunk(text="Hel")
    assert delta_from(text).usage is None
    assert delta_from(call).chunk == ChatChunk(
        tool_calls=[ToolCallDelta(index=1, id="call_9", name="lookup", arguments='{"q"')],
        finish_reason="tool_calls",
    )
    assert delta_from(usage_only).chunk is None
    assert delta_from(usage_only).usage == Usage(prompt_tokens=12, completion_tokens=5, total_tokens=17)


def test_litellm_s_reply_converts_with_its_cached_tokens_and_computed_cost() -> None:
    types = litellm().types.utils
    response = types.ModelResponse(
        choices=[{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
        usage={
            "prompt_tokens": 30,
            "completion_tokens": 2,
            "total_tokens": 32,
            "prompt_tokens_details": {"cached_tokens": 20},
        },
    )
    response._hidden_params = {"response_cost": 0.25}

    reply = reply_from(response, "openai/gpt-4o-mini")

    assert reply.message.content == "Hi"
    assert reply.finish_reason == "stop"
    assert reply.cost_usd == 0.25
    assert usage_from(response) == Usage(
        prompt_tokens=30, completion_tokens=2, total_tokens=32, cached_tokens=20
    )
