"""FakeLLM: the in-process LLM users test their own agents with."""

from __future__ import annotations

import asyncio
import threading

import pytest
from pydantic import BaseModel

from llm_resolver import (
    LLM,
    ChatRequest,
    Dependencies,
    LLMBadRequestError,
    LLMConnectionError,
    LLMRateLimitError,
    LLMResponseError,
    Message,
    arun_tools,
    depends_on,
    run_tools,
    tool,
)
from llm_resolver.testing import FakeLLM, ProviderEmulator, Reply, ToolCallSpec
from tests.helpers import MODES, call


class City(BaseModel):
    name: str
    population: int


def test_it_is_an_llm_and_echoes_when_nothing_is_scripted() -> None:
    llm = FakeLLM()

    assert isinstance(llm, LLM)
    response = llm.complete([Message.system("be brief"), Message.user("hello there")])
    assert response.text == "echo: hello there"
    assert response.finish_reason == "stop"
    assert response.usage.prompt_tokens > 0
    assert response.usage.completion_tokens > 0
    assert response.cost_usd is None  # a fake model has no price, and says so
    assert [a.outcome for a in response.attempts] == ["ok"]


def test_scripted_replies_come_back_as_scripted_and_input_is_held_to_the_rules() -> None:
    """Like a provider's reply, a scripted one is taken as sent; what the agent sends is checked."""
    llm = FakeLLM()
    llm.script(Reply(text="odd\x00answer", tool_calls=[ToolCallSpec("f\x00", {})]))

    response = llm.complete("hi")
    assert (response.text, response.tool_calls[0].name) == ("odd\x00answer", "f\x00")
    with pytest.raises(LLMBadRequestError, match=r"messages\[0\]\.content: holds a NUL character"):
        llm.complete("bad\x00input")


@pytest.mark.parametrize("mode", MODES)
async def test_scripted_replies_in_order_in_every_mode(mode: str) -> None:
    llm = FakeLLM("first answer", Reply(text="second, in three chunks", chunks=3, usage=(7, 4)))

    one = await call(llm, mode, "q1")  # type: ignore[arg-type]
    two = await call(llm, mode, "q2", temperature=0.5)  # type: ignore[arg-type]

    assert (one.text, two.text) == ("first answer", "second, in three chunks")
    assert (two.usage.prompt_tokens, two.usage.completion_tokens, two.usage.total_tokens) == (7, 4, 11)
    assert [r.messages[-1].text for r in llm.requests] == ["q1", "q2"]
    assert llm.requests[1].temperature == 0.5


def test_a_stream_arrives_in_the_scripted_chunks_and_reports_at_the_end() -> None:
    llm = FakeLLM(Reply(text="one two three", chunks=3))

    with llm.stream("go") as stream:
        with pytest.raises(LLMConnectionError, match="has not finished"):
            _ = stream.response
        pieces = [c.text for c in stream if c.text]

    assert len(pieces) == 3
    assert "".join(pieces) == "one two three"
    assert stream.response.text == "one two three"


def test_a_scripted_error_is_raised_and_the_next_step_still_answers() -> None:
    llm = FakeLLM(LLMRateLimitError("slow down", retry_after=2.0), "recovered")

    with pytest.raises(LLMRateLimitError) as caught:
        llm.complete("a")
    assert caught.value.retry_after == 2.0
    assert llm.complete("b").text == "recovered"
    assert len(llm.requests) == 2


def test_a_function_step_answers_from_the_request() -> None:
    def shout(request: ChatRequest) -> str:
        return request.messages[-1].text.upper()

    assert FakeLLM(shout).complete("quiet please").text == "QUIET PLEASE"


def test_scripted_json_is_refused_with_what_to_script_instead() -> None:
    with pytest.raises(ValueError, match="script the reply's text and tool calls"):
        FakeLLM(Reply(json={"choices": []})).complete("x")


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
async def double(x: int) -> int:
    """Double an integer."""
    await asyncio.sleep(0)
    return 2 * x


@pytest.mark.parametrize("run", ["sync", "async"])
async def test_a_tool_loop_runs_against_scripted_tool_calls(run: str) -> None:
    llm = FakeLLM(
        Reply(tool_calls=[ToolCallSpec("add", {"a": 2, "b": "three"})]),  # invalid: fed back to the model
        Reply(tool_calls=[ToolCallSpec("add", {"a": 2, "b": 3}), ToolCallSpec("double", {"x": 5})]),
        "2 + 3 = 5 and 5 doubled is 10",
    )

    if run == "sync":
        result = run_tools(llm, "what are 2+3 and 5*2?", [add, double])
    else:
        result = await arun_tools(llm, "what are 2+3 and 5*2?", [add, double])

    assert result.text == "2 + 3 = 5 and 5 doubled is 10"
    assert [len(step.calls) for step in result.steps] == [1, 2, 0]
    second_request = llm.requests[1]
    fed_back = second_request.messages[-1]  # the argument error went back as the tool result
    assert fed_back.role == "tool"
    assert fed_back.text.startswith("error: invalid arguments for 'add': b: Input should be a valid integer")
    results = [m.text for m in llm.requests[2].messages if m.role == "tool"][-2:]
    assert results == ["5", "10"]
    assert [t["function"]["name"] for t in llm.requests[0].tools_openai() or []] == ["add", "double"]


@pytest.mark.parametrize("mode", ["complete", "acomplete"])
async def test_structured_output_is_re_asked_like_on_a_real_llm(mode: str) -> None:
    llm = FakeLLM('{"name": "Oslo"}', '{"name": "Oslo", "population": 709000}')

    response = await call(llm, mode, "biggest city in Norway?", response_model=City)  # type: ignore[arg-type]

    assert response.parsed == City(name="Oslo", population=709000)
    assert len(llm.requests) == 2
    assert "population" in llm.requests[1].messages[-1].text  # the validation error was fed back


def test_structured_output_gives_up_with_the_last_reply() -> None:
    llm = FakeLLM("no json", "still none", structured_retries=1)

    with pytest.raises(LLMResponseError) as caught:
        llm.complete("q", response_model=City)
    assert caught.value.last_reply == "still none"


async def test_embeddings_match_the_emulator_vectors() -> None:
    llm = FakeLLM()

    one = llm.embed(["a", "b"])
    two = await llm.aembed("c")

    assert one.vectors == [ProviderEmulator.embedding_for("a"), ProviderEmulator.embedding_for("b")]
    assert two.vectors == [ProviderEmulator.embedding_for("c")]
    assert llm.embedded == [["a", "b"], ["c"]]


def test_it_replaces_a_resolved_llm_in_injected_handlers() -> None:
    deps = Dependencies.from_dict(
        {"llm": {"class_name": "litellm", "properties": {"model": "openai/gpt-4o-mini"}}}
    )

    @depends_on("llm")
    def summarise(text: str, llm: LLM) -> str:
        return llm.complete(f"Summarise: {text}").text

    fake = FakeLLM("short")
    assert deps.call(summarise, "a long text", llm=fake) == "short"
    assert fake.requests[0].messages[-1].text == "Summarise: a long text"


def test_concurrent_callers_each_get_one_step() -> None:
    llm = FakeLLM(*[f"answer {i}" for i in range(200)])
    answers: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            text = llm.complete("q").text
            with lock:
                answers.append(text)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(answers) == sorted(f"answer {i}" for i in range(200))
    assert len(llm.requests) == 200
