"""The tool loop on the emulator: scripted tool calls over real HTTP, results and errors sent back."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from llm_resolver import (
    LiteLLMResolver,
    LLMBadRequestError,
    LLMToolLoopError,
    Message,
    arun_tools,
    run_tools,
    tool,
)
from llm_resolver.testing import ProviderEmulator, Reply, ToolCallSpec

from .conftest import openai_llm

pytestmark = pytest.mark.usefixtures("litellm_async_clients")


@tool
async def lookup_rate(currency: str) -> float:
    """The exchange rate of a currency against the euro.

    Args:
        currency: ISO 4217 code, e.g. USD.
    """
    await asyncio.sleep(0)
    return {"USD": 1.25, "GBP": 0.5}[currency]


@tool
def convert(amount: float, rate: float) -> float:
    """Convert an amount at a rate."""
    return amount * rate


def tool_messages(body: dict) -> list[dict]:
    return [m for m in body["messages"] if m["role"] == "tool"]


async def test_two_rounds_of_tool_calls_then_an_answer(provider_emulator: ProviderEmulator) -> None:
    emu = provider_emulator
    emu.script(
        Reply(
            tool_calls=[
                ToolCallSpec("lookup_rate", {"currency": "USD"}, id="call_a"),
                ToolCallSpec("convert", '{"amount": ', id="call_b"),
            ],
            usage=(20, 10),
        ),
        Reply(tool_calls=[ToolCallSpec("convert", {"amount": 8, "rate": 1.25}, id="call_c")], usage=(40, 5)),
        Reply(text="8 euros are 10 dollars.", usage=(60, 7)),
    )
    llm = openai_llm(emu)

    result = await arun_tools(llm, "How many dollars for 8 euros?", [lookup_rate, convert])

    assert result.text == "8 euros are 10 dollars."
    assert [len(step.calls) for step in result.steps] == [2, 1, 0]
    first, bad = result.steps[0].calls
    assert (first.id, first.name, first.arguments, first.result, first.content) == (
        "call_a",
        "lookup_rate",
        {"currency": "USD"},
        1.25,
        "1.25",
    )
    assert first.ok
    assert first.duration_s >= 0
    assert not bad.ok
    assert bad.arguments is None
    assert bad.raw_arguments == '{"amount": '
    assert bad.content.startswith("error: the arguments for 'convert' are not a JSON object")
    assert result.steps[1].calls[0].result == 10.0
    assert result.usage.prompt_tokens == 120
    assert result.usage.completion_tokens == 22
    assert result.cost_usd == pytest.approx(sum(s.response.cost_usd or 0 for s in result.steps))
    assert result.cost_usd is not None
    assert result.cost_usd > 0

    chat = [r for r in emu.requests if r.kind == "chat"]
    assert len(chat) == 3
    assert [t["function"]["name"] for t in chat[0].body["tools"]] == ["lookup_rate", "convert"]
    second = chat[1].body
    assistant = second["messages"][1]
    assert assistant["role"] == "assistant"
    assert [c["function"]["arguments"] for c in assistant["tool_calls"]] == ['{"currency": "USD"}', "{}"]
    assert tool_messages(second) == [
        {"role": "tool", "content": "1.25", "tool_call_id": "call_a"},
        {"role": "tool", "content": bad.content, "tool_call_id": "call_b"},
    ]
    assert "Expecting value" in bad.content
    assert tool_messages(chat[2].body)[-1] == {"role": "tool", "content": "10.0", "tool_call_id": "call_c"}
    assert result.messages[-1].text == "8 euros are 10 dollars."
    assert len(result.messages) == 1 + 1 + 2 + 1 + 1 + 1


def test_sync_loop_runs_async_tools_and_reports_every_kind_of_error(
    provider_emulator: ProviderEmulator,
) -> None:
    @tool
    def explode(reason: str) -> str:
        """Always fails."""
        raise RuntimeError(f"boom: {reason}")

    emu = provider_emulator
    emu.script(
        Reply(
            tool_calls=[
                ToolCallSpec("lookup_rate", {"currency": "GBP"}),
                ToolCallSpec("teleport", {"to": "Mars"}),
                ToolCallSpec("convert", {"amount": "lots", "rate": 1}),
                ToolCallSpec("explode", {"reason": "testing"}),
                ToolCallSpec("convert", "[1, 2]"),
            ]
        ),
        Reply(text="done"),
    )

    result = run_tools(openai_llm(emu), "go", [lookup_rate, convert, explode])

    contents = [c.content for c in result.steps[0].calls]
    assert contents == [
        "0.5",
        "error: there is no tool named 'teleport'; available tools: convert, explode, lookup_rate",
        "error: invalid arguments for 'convert': amount: Input should be a valid number, unable to parse "
        "string as a number (got 'lots'); call it again with arguments that match its parameters",
        "error: tool 'explode' failed: RuntimeError: boom: testing",
        "error: the arguments for 'convert' are not a JSON object ('[1, 2]' is JSON but not an object); "
        "call it again with a JSON object that matches its parameters",
    ]
    assert [c.ok for c in result.steps[0].calls] == [True, False, False, False, False]
    sent = [m["content"] for m in tool_messages(emu.requests[-1].body)]
    assert sent == contents


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_a_tools_exception_reaches_the_model_short_and_without_the_llms_secrets(
    provider_emulator: ProviderEmulator, asynchronous: bool
) -> None:
    secret = "hunter2-very-secret"  # the LLM's api_key, shaped like no key: only masking by value hides it

    @tool
    def fetch(page: str) -> str:
        """Fetch an intranet page."""
        raise PermissionError(f"login as bot/{secret} refused for {page}; " + "details " * 200)

    emu = provider_emulator
    emu.script(Reply(tool_calls=[ToolCallSpec("fetch", {"page": "home"})]), Reply(text="no access"))
    llm = LiteLLMResolver(
        model="openai/gpt-4o-mini", api_base=emu.openai_base, api_key=secret, env={}, max_retries=0
    ).get_or_resolve()

    result = await arun_tools(llm, "go", [fetch]) if asynchronous else run_tools(llm, "go", [fetch])

    body = emu.requests[-1].body
    assert secret not in json.dumps(body)
    (sent,) = tool_messages(body)
    prefix = "error: tool 'fetch' failed: PermissionError: login as bot/********** refused for home; details"
    assert sent["content"].startswith(prefix)
    assert sent["content"].endswith("...")
    assert len(sent["content"]) == len("error: tool 'fetch' failed: ") + 500
    assert "Traceback" not in sent["content"]
    (call,) = result.calls
    assert call.content == sent["content"]
    assert secret not in repr(result.calls) + repr(result.messages)


async def test_a_steps_async_tools_run_concurrently_and_sync_ones_in_threads(
    provider_emulator: ProviderEmulator,
) -> None:
    both_started = asyncio.Event()
    waiting: list[str] = []
    threads: list[str] = []

    @tool
    async def first() -> str:
        """Waits for second."""
        waiting.append("first")
        await asyncio.wait_for(both_started.wait(), timeout=2)
        return "first done"

    @tool
    async def second() -> str:
        """Releases first."""
        waiting.append("second")
        both_started.set()
        return "second done"

    @tool
    def blocking() -> str:
        """Runs in a worker thread."""
        threads.append(threading.current_thread().name)
        time.sleep(0.01)
        return "blocked"

    provider_emulator.script(
        Reply(
            tool_calls=[ToolCallSpec("first", {}), ToolCallSpec("second", {}), ToolCallSpec("blocking", {})]
        ),
        Reply(text="all done"),
    )
    result = await arun_tools(openai_llm(provider_emulator), "go", [first, second, blocking])

    assert [c.content for c in result.steps[0].calls] == ["first done", "second done", "blocked"]
    assert threads
    assert threads[0] != threading.current_thread().name


def test_exceeding_max_steps_raises_with_every_step(provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(
        *[
            Reply(tool_calls=[ToolCallSpec("convert", {"amount": i, "rate": 2})], usage=(10, 2))
            for i in range(3)
        ]
    )
    with pytest.raises(LLMToolLoopError) as caught:
        run_tools(openai_llm(provider_emulator), "loop forever", [convert], max_steps=3)

    error = caught.value
    assert "after 3 model calls (2 tool calls run)" in str(error)
    assert len(error.steps) == 3
    assert [c.result for s in error.steps for c in s.calls] == [0.0, 2.0]
    assert error.steps[-1].calls == []
    assert error.steps[-1].response.tool_calls[0].arguments["amount"] == 2
    assert error.usage.total_tokens == 36
    assert error.messages[-1].tool_calls[0].name == "convert"
    assert provider_emulator.request_count() == 3


def test_plain_functions_are_wrapped_and_options_reach_every_call(
    provider_emulator: ProviderEmulator,
) -> None:
    def shout(text: str) -> str:
        """Upper-case the text."""
        return text.upper()

    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("shout", {"text": "hi"})]), Reply(text="HI it is")
    )
    result = run_tools(
        openai_llm(provider_emulator),
        [Message.system("be loud"), Message.user("shout hi")],
        [shout],
        temperature=0.25,
    )
    assert result.text == "HI it is"
    bodies = [r.body for r in provider_emulator.requests]
    assert [b["temperature"] for b in bodies] == [0.25, 0.25]
    assert bodies[0]["tools"][0]["function"]["description"] == "Upper-case the text."


def test_the_loop_works_on_anthropic_with_bad_json(provider_emulator: ProviderEmulator) -> None:
    emu = provider_emulator
    emu.script(
        Reply(tool_calls=[ToolCallSpec("convert", '{"amount": ', id="toolu_1")]),
        Reply(tool_calls=[ToolCallSpec("convert", {"amount": 2, "rate": 3}, id="toolu_2")]),
        Reply(text="6"),
    )
    llm = LiteLLMResolver(
        model="anthropic/claude-haiku-4-5", api_base=emu.anthropic_base, api_key="x", env={}
    ).get_or_resolve()

    result = run_tools(llm, "2 at 3?", [convert])

    assert result.text == "6"
    assert [c.ok for c in result.calls] == [False, True]
    last = emu.requests[-1].body["messages"]
    tool_results = [
        p for m in last for p in m["content"] if isinstance(p, dict) and p.get("type") == "tool_result"
    ]
    assert [r["tool_use_id"] for r in tool_results] == ["toolu_1", "toolu_2"]
    assert "not a JSON object" in str(tool_results[0]["content"])


def test_bad_loop_arguments_fail_before_any_request(provider_emulator: ProviderEmulator) -> None:
    llm = openai_llm(provider_emulator)
    with pytest.raises(LLMBadRequestError, match="no tools to offer"):
        run_tools(llm, "hi")
    with pytest.raises(LLMBadRequestError, match="max_steps must be a positive integer"):
        run_tools(llm, "hi", [convert], max_steps=0)
    with pytest.raises(LLMBadRequestError, match="tools must be a list"):
        run_tools(llm, "hi", convert)  # type: ignore[arg-type]
    with pytest.raises(LLMBadRequestError, match="cannot use a int as a tool"):
        run_tools(llm, "hi", [3])  # type: ignore[list-item]

    @tool(name="convert")
    def other(x: int) -> int:
        """Another convert."""
        return x

    with pytest.raises(LLMBadRequestError, match="two different tools are both called 'convert'"):
        run_tools(llm, "hi", [convert, other])
    assert provider_emulator.request_count() == 0


def test_tools_already_on_the_request_are_run_too(provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("convert", {"amount": 1, "rate": 4}), ToolCallSpec("remote", {})]),
        Reply(text="ok"),
    )
    remote = {"type": "function", "function": {"name": "remote", "parameters": {"type": "object"}}}
    result = run_tools(
        openai_llm(provider_emulator),
        {"messages": [{"role": "user", "content": "x"}], "tools": [convert, remote]},
    )
    assert [c.content for c in result.calls] == [
        "4.0",
        "error: there is no function to run for tool 'remote'; available tools: convert",
    ]
    assert [t["function"]["name"] for t in provider_emulator.requests[0].body["tools"]] == [
        "convert",
        "remote",
    ]
