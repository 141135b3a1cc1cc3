"""A stream's bookkeeping ends when the stream does: a stream broken after its first chunk reports the
attempt it made, and a stream closed early settles its budget hold at once, not at garbage collection."""

from __future__ import annotations

from typing import Any

import pytest

from llm_resolver import LiteLLMResolver, LLMConnectionError, Scope
from llm_resolver.testing import Fault, ProviderEmulator, Reply
from tests.helpers import MakeLLM, call


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_stream_broken_after_its_first_chunk_reports_its_attempt(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    provider_emulator.default_reply = Reply(text="one two three four five six", chunks=6)
    provider_emulator.script(Fault.drop_mid_stream(after_chunks=2))
    llm = make_llm()
    with pytest.raises(LLMConnectionError) as caught:
        await call(llm, mode)
    assert provider_emulator.request_count() == 1
    assert [(a.model, a.outcome, a.error_type) for a in caught.value.attempts] == [
        ("openai/gpt-4o-mini", "error", "LLMConnectionError")
    ]


def _budgeted(settings: dict[str, Any]) -> LiteLLMResolver:
    return LiteLLMResolver(env={}, **{**settings, "budget_usd": 1.0, "max_tokens": 50})


@pytest.mark.parametrize("how", ["close", "with", "break"])
def test_a_stream_closed_early_releases_its_hold_at_once(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any], how: str
) -> None:
    provider_emulator.default_reply = Reply(text="one two three four five six", chunks=6)
    res = _budgeted(emulator_settings)
    llm = res.get_or_resolve(Scope("acme"))
    kept = []  # referenced, so garbage collection cannot be what releases them
    for _ in range(3):
        stream = llm.stream("hello")
        kept.append(stream)
        if how == "close":
            next(iter(stream))
            stream.close()
        elif how == "with":
            with stream:
                next(iter(stream))
        else:
            for _chunk in stream:
                break
            stream.close()
        assert res.meter.reserved() == 0
    assert res.meter.totals(Scope("acme")).calls == 3  # what each read was metered when it closed


async def test_an_async_stream_closed_early_releases_its_hold_at_once(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any], litellm_async_clients: None
) -> None:
    provider_emulator.default_reply = Reply(text="one two three four five six", chunks=6)
    res = _budgeted(emulator_settings)
    llm = res.get_or_resolve(Scope("acme"))
    kept = []
    for _ in range(3):
        async with llm.astream("hello") as astream:
            kept.append(astream)
            await anext(aiter(astream))
        assert res.meter.reserved() == 0
