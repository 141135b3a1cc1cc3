"""Input no provider takes (NUL, lone surrogates, data URLs that are not base64 images) is the caller's
mistake: refused before any attempt with an error naming where, never retried as the provider's fault,
never cooling a healthy endpoint down."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from llm_resolver import ImagePart, LLMBadRequestError, Message, TextPart, ToolCall, run_tools, tool
from llm_resolver.testing import ProviderEmulator, Reply, ToolCallSpec
from tests.helpers import MODES, MakeLLM, call

PNG_B64 = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(32)).decode()


def user_parts(*parts: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(parts)}]


def image(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def history_with_call(name: str, arguments: str, result: str = "ok") -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": name, "arguments": arguments}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": result},
    ]


BAD_REQUESTS = {
    "lone surrogate in a str": (
        "hi \ud800 there",
        r"messages\[0\]\.content: holds a lone surrogate \(U\+D800\) at index 3",
    ),
    "NUL in a str": ("a\x00b", r"messages\[0\]\.content: holds a NUL character \(\\x00\) at index 1"),
    "NUL in a text part": (
        user_parts({"type": "text", "text": "ok"}, {"type": "text", "text": "x\x00"}),
        r"messages\[0\]\.content\[1\]\.text: holds a NUL character",
    ),
    "surrogate in a tool result": (
        history_with_call("f", "{}", result="cut \udc80"),
        r"messages\[2\]\.content: holds a lone surrogate \(U\+DC80\)",
    ),
    "NUL in a tool call's name": (
        history_with_call("f\x00", "{}"),
        r"messages\[1\]\.tool_calls\[0\]\.name: holds a NUL",
    ),
    "NUL in a tool call's arguments": (
        history_with_call("f", '{"city": "a\\u0000"}'),
        r"messages\[1\]\.tool_calls\[0\]\.arguments: \['city'\] holds a NUL",
    ),
    "data URL that is not base64": (
        user_parts(image("data:image/png;base64,@@" + PNG_B64[2:])),
        r"messages\[0\]\.content\[0\]\.url: the data URL's payload is not base64: '@' at offset 0",
    ),
    "data URL with line breaks": (
        user_parts(image(f"data:image/png;base64,{PNG_B64[:8]}\n{PNG_B64[8:]}")),
        r"payload is not base64: '\\n' at offset 8; encode the image with base64\.b64encode",
    ),
    "data URL cut short": (
        user_parts(image(f"data:image/png;base64,{PNG_B64[:-1]}")),
        r"messages\[0\]\.content\[0\]\.url: the data URL's base64 payload is cut short or badly padded",
    ),
    "data URL that is not an image": (
        user_parts(image("data:text/plain;base64,aGk=")),
        r"the data URL holds text/plain, not an image",
    ),
}


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_unsendable_input_fails_before_any_attempt_and_cools_nothing_down(
    make_llm: MakeLLM, provider_emulator: ProviderEmulator, case: str
) -> None:
    request, where = BAD_REQUESTS[case]
    llm = make_llm()

    with pytest.raises(LLMBadRequestError, match=where) as caught:
        llm.complete(request)
    assert caught.value.attempts == []
    assert provider_emulator.request_count() == 0

    # The endpoint is healthy: the next call goes out at once, on its first attempt.
    response = llm.complete("a valid question")
    assert [a.outcome for a in response.attempts] == ["ok"]
    assert provider_emulator.request_count() == 1


@pytest.mark.usefixtures("litellm_async_clients")
@pytest.mark.parametrize("mode", MODES)
async def test_every_call_mode_refuses_it(
    make_llm: MakeLLM, provider_emulator: ProviderEmulator, mode: str
) -> None:
    llm = make_llm()
    for _ in range(3):  # as many failures as would cool the endpoint down
        with pytest.raises(LLMBadRequestError, match="holds a lone surrogate"):
            await call(llm, mode, "\ud83d cut emoji")
    assert provider_emulator.request_count() == 0
    assert (await call(llm, mode, "fine")).text
    assert provider_emulator.request_count() == 1


def test_the_types_refuse_it_when_built_directly() -> None:
    with pytest.raises(ValidationError, match="holds a NUL character"):
        Message.user("a\x00b")
    with pytest.raises(ValidationError, match="holds a lone surrogate"):
        TextPart(text="\ud800")
    with pytest.raises(ValidationError, match="cut short or badly padded"):
        ImagePart(url="data:image/png;base64,QUJ")
    with pytest.raises(ValidationError, match=r"\['k'\]\[0\] holds a NUL character"):
        ToolCall(id="c", name="f", arguments={"k": ["\x00"]})
    assert ImagePart(url=f"data:image/png;base64,{PNG_B64}").media_type == "image/png"


@pytest.mark.usefixtures("litellm_async_clients")
@pytest.mark.parametrize("mode", MODES)
async def test_a_reply_is_taken_as_sent_and_refused_only_when_sent_back(
    make_llm: MakeLLM, provider_emulator: ProviderEmulator, mode: str
) -> None:
    """A NUL in an answer the provider billed is the caller's to deal with, not an error of the call."""
    provider_emulator.script(Reply(text="odd\x00answer", tool_calls=[ToolCallSpec("f\x00", {"k": "\x00"})]))
    llm = make_llm()

    response = await call(llm, mode, "hi")
    assert response.text == "odd\x00answer"
    assert [(c.name, c.arguments) for c in response.tool_calls] == [("f\x00", {"k": "\x00"})]

    with pytest.raises(
        LLMBadRequestError, match=r"messages\[1\]\.tool_calls\[0\]\.name: holds a NUL character \(\\x00\)"
    ):
        llm.complete(
            [
                {"role": "user", "content": "hi"},
                response.message.to_openai(),
                {"role": "user", "content": "?"},
            ]
        )
    assert provider_emulator.request_count() == 1


def test_a_tool_returning_unsendable_text_is_reported_to_the_model(
    make_llm: MakeLLM, provider_emulator: ProviderEmulator
) -> None:
    @tool
    def read_file(path: str) -> str:
        """Read a text file."""
        return "binary\x00junk"

    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("read_file", {"path": "a.bin"})]), Reply(text="it is binary")
    )

    result = run_tools(make_llm(), "what is in a.bin?", [read_file])

    (record,) = result.calls
    assert record.content == (
        "error: tool 'read_file' failed: ValueError: the tool returned text that holds a NUL character (\\x00) "
        "at index 6, which no provider takes"
    )
    assert result.text == "it is binary"
    sent = [m for m in provider_emulator.requests[-1].body["messages"] if m["role"] == "tool"]  # type: ignore[index]
    assert sent == [{"role": "tool", "content": record.content, "tool_call_id": record.id}]


def test_a_cached_reply_comes_back_as_the_provider_sent_it(
    make_llm: MakeLLM, provider_emulator: ProviderEmulator, tmp_path: Path
) -> None:
    provider_emulator.script(Reply(text="odd\x00answer"))
    llm = make_llm(cache=f"sqlite:///{tmp_path / 'replies.db'}")

    assert llm.complete("hi").text == "odd\x00answer"
    again = llm.complete("hi")
    assert (again.cached, again.text) == (True, "odd\x00answer")
    assert provider_emulator.request_count() == 1


class Count(BaseModel):
    n: int


def test_a_structured_re_ask_sends_back_a_reply_holding_a_nul(
    make_llm: MakeLLM, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text='{"n": "one\x00"}'), Reply(text='{"n": 1}'))

    response = make_llm().complete("count", response_format=Count)

    assert response.parsed == Count(n=1)
    assert provider_emulator.request_count() == 2


def test_the_tool_loop_survives_a_model_calling_a_name_holding_a_nul(
    make_llm: MakeLLM, provider_emulator: ProviderEmulator
) -> None:
    @tool
    def lookup(key: str) -> str:
        """Look a key up."""
        return key

    provider_emulator.script(Reply(tool_calls=[ToolCallSpec("look\x00up", '{"key": ')]), Reply(text="done"))

    result = run_tools(make_llm(), "go", [lookup])

    (record,) = result.calls
    assert record.content == "error: there is no tool named 'look\\x00up'; available tools: lookup"
    assert result.text == "done"
