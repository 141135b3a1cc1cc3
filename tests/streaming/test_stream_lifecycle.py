"""Streams release their HTTP connection however they are left: exhausted, closed, exited or dropped."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest

from llm_resolver import LiteLLMResolver, LLMConnectionError
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.testing import ProviderEmulator, Reply
from tests.helpers import PROVIDERS

LONG = Reply(text=" ".join(f"w{i}" for i in range(60)), chunks=60, chunk_delay=0.1)


def _llm(emu: ProviderEmulator, model: str, base: str) -> LiteLLM:
    return LiteLLMResolver(model=model, api_base=getattr(emu, base), api_key="k", env={}).get_or_resolve()


def _wait_until(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize(("model", "base"), PROVIDERS.values())
def test_closing_a_sync_stream_hangs_up(provider_emulator: ProviderEmulator, model: str, base: str) -> None:
    provider_emulator.script(LONG)
    stream = _llm(provider_emulator, model, base).stream("go")
    first = next(iter(stream))
    assert first.text
    assert provider_emulator.open_streams == 1

    stream.close()

    # The reply would take 6 s to finish; the server notices the hang-up on its next write.
    assert _wait_until(lambda: provider_emulator.open_streams == 0)
    assert provider_emulator.abandoned_streams == 1
    with pytest.raises(LLMConnectionError, match="has not finished"):
        _ = stream.response


@pytest.mark.parametrize(("model", "base"), PROVIDERS.values())
def test_a_dropped_sync_stream_hangs_up_when_collected(
    provider_emulator: ProviderEmulator, model: str, base: str
) -> None:
    provider_emulator.script(LONG)
    stream = _llm(provider_emulator, model, base).stream("go")
    next(iter(stream))

    del stream
    gc.collect()

    assert _wait_until(lambda: provider_emulator.open_streams == 0)
    assert provider_emulator.abandoned_streams == 1


@pytest.mark.usefixtures("litellm_async_clients")
@pytest.mark.parametrize(("model", "base"), PROVIDERS.values())
async def test_leaving_an_async_stream_block_hangs_up(
    provider_emulator: ProviderEmulator, model: str, base: str
) -> None:
    provider_emulator.script(LONG)
    async with _llm(provider_emulator, model, base).astream("go") as stream:
        async for _chunk in stream:
            break

    deadline = time.monotonic() + 3
    while provider_emulator.open_streams and time.monotonic() < deadline:
        await _asleep()
    assert provider_emulator.open_streams == 0
    assert provider_emulator.abandoned_streams == 1


def test_an_exhausted_stream_is_complete_not_abandoned(provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="a b c", usage=(4, 3)))
    llm = _llm(provider_emulator, "openai/gpt-4o-mini", "openai_base")

    with llm.stream("go") as stream:
        text = "".join(c.text for c in stream)

    assert text == "a b c"
    assert stream.response.usage.total_tokens == 7
    assert _wait_until(lambda: provider_emulator.open_streams == 0)
    assert provider_emulator.abandoned_streams == 0


async def _asleep() -> None:
    import asyncio

    await asyncio.sleep(0.02)
