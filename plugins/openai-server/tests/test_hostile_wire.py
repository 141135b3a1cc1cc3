"""What a hostile client puts inside a body: every object in it is an allow-list, refused by its path
with a 400 before any upstream request, and no list in it is long enough to stall the event loop."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from llm_resolver.testing import ProviderEmulator, Reply, ToolCallSpec

from .conftest import sent

HI: Any = [{"role": "user", "content": "hi"}]
ADD = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Add two integers.",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
SCHEMA = {
    "name": "City",
    "description": "a city",
    "schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "strict": True,
}
CALL = {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{}"}}


def refused(caught: pytest.ExceptionInfo[openai.BadRequestError], param: str) -> str:
    """The error's message, once it is known to name ``param`` (a refused ``type``: the object it is in)."""
    body: Any = caught.value.body
    assert (body["type"], body["param"]) == ("invalid_request_error", param)
    assert body["message"].startswith(param.removesuffix(".type")), body["message"]
    return str(body["message"])


# Chat: tools, tool_choice, response_format


@pytest.mark.parametrize(
    ("model", "tools", "param", "says"),
    [
        (
            "claude",
            [{"type": "mcp", "server_label": "x", "server_url": "https://attacker.example/mcp"}],
            "tools[0].type",
            "type 'mcp' is not taken",
        ),
        (
            "claude",
            [{"type": "web_search_20250305", "name": "web_search"}],
            "tools[0].type",
            "function tools",
        ),
        ("support", [{"type": "web_search_preview"}], "tools[0].type", "function tools"),
        ("support", [{"foo": "bar"}], "tools[0].type", "function tools"),
        ("support", ["add"], "tools[0]", "must be an object"),
        ("support", [{**ADD, "api_base": "http://attacker.invalid"}], "tools[0].api_base", "not a field"),
        ("support", [{**ADD, "cache_control": {"type": "ephemeral"}}], "tools[0].cache_control", "remove it"),
        (
            "support",
            [{"type": "function", "function": {"name": "f", "api_key": "sk-x"}}],
            "tools[0].function.api_key",
            "not a field of a function",
        ),
        ("support", [{"type": "function", "function": {}}], "tools[0].function.name", "must be a string"),
        (
            "support",
            [{"type": "function", "function": {"name": "f", "parameters": "{}"}}],
            "tools[0].function.parameters",
            "must be an object",
        ),
        (
            "support",
            [{"type": "function", "function": {"name": "f", "strict": "yes"}}],
            "tools[0].function.strict",
            "must be a boolean",
        ),
        ("support", [ADD] * 513, "tools", "at most 512"),
    ],
)
def test_only_function_tools_with_openais_fields_are_taken(
    client: openai.OpenAI,
    provider_emulator: ProviderEmulator,
    model: str,
    tools: list[Any],
    param: str,
    says: str,
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=model, messages=HI, extra_body={"tools": tools})

    assert says in refused(caught, param)
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("choice", "param"),
    [
        (
            {"type": "function", "function": {"name": "add"}, "api_base": "http://attacker.invalid"},
            "tool_choice.api_base",
        ),
        ({"type": "function", "function": {"name": "add", "strict": True}}, "tool_choice.function.strict"),
        ({"type": "function", "function": {}}, "tool_choice.function.name"),
        ({"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}}, "tool_choice.type"),
        ("please-hack", "tool_choice"),
        (["auto"], "tool_choice"),
    ],
)
def test_a_tool_choice_is_a_mode_or_a_function_name(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, choice: Any, param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="support",
            messages=HI,
            tools=[ADD],
            extra_body={"tool_choice": choice},  # type: ignore[list-item]
        )

    refused(caught, param)
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("response_format", "param"),
    [
        ({"type": "json_object", "api_base": "http://attacker.invalid"}, "response_format.api_base"),
        ({"type": "json_object", "mock_response": "forged"}, "response_format.mock_response"),
        (  # LiteLLM's own extension: it would validate the reply with jsonschema in this process (ReDoS)
            {
                "type": "json_object",
                "response_schema": {"type": "string", "pattern": "^(a+)+$"},
                "enforce_validation": True,
            },
            "response_format.response_schema",
        ),
        ({"type": "text", "verbosity": "low"}, "response_format.verbosity"),
        ({"type": "json_schema", "json_schema": {**SCHEMA, "foo": 1}}, "response_format.json_schema.foo"),
        ({"type": "json_schema", "json_schema": {"schema": {}}}, "response_format.json_schema.name"),
        (
            {"type": "json_schema", "json_schema": {**SCHEMA, "schema": "{}"}},
            "response_format.json_schema.schema",
        ),
        ({"type": "json_schema"}, "response_format.json_schema"),
        ({"type": "grammar", "grammar": "root ::= x"}, "response_format.type"),
    ],
)
def test_a_response_format_is_one_of_openais_three(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, response_format: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="support", messages=HI, extra_body={"response_format": response_format}
        )

    refused(caught, param)
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    "response_format",
    [{"type": "text"}, {"type": "json_object"}, {"type": "json_schema", "json_schema": SCHEMA}],
)
def test_well_formed_tools_choices_and_formats_reach_the_provider(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, response_format: dict[str, Any]
) -> None:
    client.chat.completions.create(
        model="support",
        messages=HI,
        tools=[ADD],  # type: ignore[list-item]
        tool_choice={"type": "function", "function": {"name": "add"}},
        response_format=response_format,  # type: ignore[arg-type]
    )

    body = sent(provider_emulator)
    assert body["tools"] == [ADD]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    assert body["response_format"] == response_format


# Chat: messages, content parts, tool calls


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([{"role": "user", "content": "hi", "api_base": "http://attacker.invalid"}], "messages[0].api_base"),
        (
            [{"role": "user", "content": "hi", "cache_control": {"type": "ephemeral"}}],
            "messages[0].cache_control",
        ),
        ([{"role": "user", "content": "hi", "tool_call_id": "c"}], "messages[0].tool_call_id"),
        ([{"role": "system", "content": "hi", "tool_calls": [CALL]}], "messages[0].tool_calls"),
        (
            [
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}],
                }
            ],
            "messages[0].content[0].cache_control",
        ),
        ([{"role": "user", "content": [{"type": "text"}]}], "messages[0].content[0].text"),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "foo": 1}}
                    ],
                }
            ],
            "messages[0].content[0].image_url.foo",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}, "bar": 2}
                    ],
                }
            ],
            "messages[0].content[0].bar",
        ),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": "https://x.test/a.png"}]}],
            "messages[0].content[0].image_url",
        ),
        (
            [
                *HI,
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{**CALL, "api_base": "http://attacker.invalid"}],
                },
            ],
            "messages[1].tool_calls[0].api_base",
        ),
        (
            [
                *HI,
                {
                    "role": "assistant",
                    "tool_calls": [{**CALL, "function": {"name": "add", "arguments": "{}", "x": 1}}],
                },
            ],
            "messages[1].tool_calls[0].function.x",
        ),
        (
            [*HI, {"role": "assistant", "tool_calls": [{**CALL, "type": "custom"}]}],
            "messages[1].tool_calls[0].type",
        ),
        (
            [
                *HI,
                {"role": "assistant", "tool_calls": [{**CALL, "function": {"name": "add", "arguments": {}}}]},
            ],
            "messages[1].tool_calls[0].function.arguments",
        ),
        ([*HI, {"role": "assistant", "content": "no", "refusal": "I will not"}], "messages[1].refusal"),
        ([*HI, {"role": "assistant", "content": "hi", "audio": {"id": "audio_1"}}], "messages[1].audio"),
        (
            [*HI, {"role": "assistant", "content": "hi", "annotations": [{"type": "url_citation"}]}],
            "messages[1].annotations",
        ),
    ],
)
def test_what_a_message_does_not_take_is_refused_by_its_path(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, messages: Any, param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="support", messages=messages)

    refused(caught, param)
    assert provider_emulator.request_count() == 0


def test_an_sdk_assistant_message_sent_back_is_taken(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(
        Reply(tool_calls=[ToolCallSpec("add", {"a": 2, "b": 3}, id="call_1")]), Reply(text="5")
    )
    first = client.chat.completions.create(model="support", messages=HI, tools=[ADD])  # type: ignore[list-item]
    echoed = first.choices[0].message.model_dump()  # refusal, audio, function_call: None
    assert {"refusal", "audio", "function_call", "annotations"} <= set(echoed)

    client.chat.completions.create(
        model="support",
        messages=[
            *HI,
            {**echoed, "annotations": []},
            {"role": "tool", "tool_call_id": "call_1", "content": "5"},
        ],
        tools=[ADD],  # type: ignore[list-item]
    )

    assistant = sent(provider_emulator)["messages"][1]
    assert set(assistant) <= {"role", "content", "tool_calls"}
    assert [c["id"] for c in assistant["tool_calls"]] == ["call_1"]


# Chat: caps on a body's lists (each item is validated and counted on the event loop)


@pytest.mark.parametrize(
    ("messages", "param", "says"),
    [
        ([{"role": "user", "content": "a"}] * 2049, "messages", "at most 2048"),
        (
            [{"role": "user", "content": [{"type": "text", "text": "a"}] * 257}],
            "messages[0].content",
            "at most 256",
        ),
        (
            [*HI, {"role": "assistant", "tool_calls": [CALL] * 257}],
            "messages[1].tool_calls",
            "at most 256",
        ),
        (
            [{"role": "user", "content": [{"type": "text", "text": "a"}] * 256}] * 17,
            "messages",
            "at most 4096",
        ),
    ],
)
def test_a_body_of_too_many_messages_or_parts_is_refused(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, messages: Any, param: str, says: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="support", messages=messages)

    assert says in refused(caught, param)
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("extra", "param", "says"),
    [
        ({"stop": ["x"] * 17}, "stop", "at most 16"),
        ({"logit_bias": {str(i): 1 for i in range(1025)}}, "logit_bias", "at most 1024"),
    ],
)
def test_too_many_stop_sequences_or_biased_tokens_are_refused(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, extra: dict[str, Any], param: str, says: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="support", messages=HI, extra_body=extra)
    with pytest.raises(openai.BadRequestError) as caught_too:
        client.completions.create(model="support", prompt="hi", extra_body=extra)

    assert says in refused(caught, param)
    assert says in refused(caught_too, param)
    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("given", [["a"] * 2049, [[1]] * 2049])
def test_an_embeddings_request_takes_at_most_openais_2048_inputs(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, given: list[Any]
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model="support", input=given)

    assert "at most 2048" in refused(caught, "input")
    assert provider_emulator.request_count() == 0


# Embeddings: dimensions


@pytest.mark.parametrize("dimensions", [0, -1, 65537, 2**63, 10**400])
def test_dimensions_out_of_range_are_refused_naming_the_param(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, dimensions: int
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model="support", input="alpha", extra_body={"dimensions": dimensions})

    assert "from 1 to 65536" in refused(caught, "dimensions")
    assert provider_emulator.request_count() == 0


# Responses: the same allow-lists on its own shapes


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        (
            {"text": {"format": {"type": "json_object", "api_base": "http://attacker.invalid"}}},
            "text.format.api_base",
        ),
        ({"text": {"format": {"type": "text", "mock_response": "forged"}}}, "text.format.mock_response"),
        (
            {
                "text": {
                    "format": {
                        "type": "json_schema",
                        "name": "x",
                        "schema": {"type": "string"},
                        "enforce_validation": True,
                    }
                }
            },
            "text.format.enforce_validation",
        ),
        ({"text": {"format": {"type": "json_schema", "schema": {}, "strict": "yes"}}}, "text.format.strict"),
        ({"tool_choice": {"type": "function", "name": "add", "api_base": "x"}}, "tool_choice.api_base"),
        ({"tool_choice": {"type": "mcp", "server_label": "x"}}, "tool_choice.type"),
        ({"tool_choice": {"type": "function"}}, "tool_choice.name"),
        ({"tools": [{"type": "function", "name": "add", "parameters": "{}"}]}, "tools[0].parameters"),
        ({"tools": [{"type": "function", "name": 5}]}, "tools[0].name"),
        ({"tools": [{"type": "function", "name": "f"}] * 513}, "tools"),
        (
            {
                "input": [
                    {"role": "user", "content": [{"type": "input_text", "text": "hi", "cache_control": {}}]}
                ]
            },
            "input[0].content[0].cache_control",
        ),
        (
            {
                "input": [
                    {
                        "role": "user",
                        "content": [{"type": "input_image", "image_url": "https://x.test/a.png", "foo": 1}],
                    }
                ]
            },
            "input[0].content[0].foo",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "file_1"}]}]},
            "input[0].content[0].file_id",
        ),
        (
            {
                "input": [
                    {
                        "role": "assistant",
                        "content": [
                            {"type": "output_text", "text": "x", "annotations": [{"type": "url_citation"}]}
                        ],
                    }
                ]
            },
            "input[0].content[0].annotations",
        ),
        (
            {
                "input": [
                    {"role": "assistant", "content": [{"type": "output_text", "text": "x", "api_base": "y"}]}
                ]
            },
            "input[0].content[0].api_base",
        ),
        ({"input": [{"role": "user", "content": "a"}] * 2049}, "input"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_text", "text": "a"}] * 257}]},
            "input[0].content",
        ),
    ],
)
def test_what_the_responses_route_does_not_take_inside_the_body_is_refused(
    client: openai.OpenAI, provider_emulator: ProviderEmulator, extra: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="support", input="hi", extra_body=extra)

    refused(caught, param)
    assert provider_emulator.request_count() == 0


def test_an_sdk_response_sent_back_is_taken_and_verbosity_is_named_as_ignored(
    client: openai.OpenAI, provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Reply(text="salut"), Reply(text="again"))
    first = client.responses.create(model="support", input="hi")

    raw = client.responses.with_raw_response.create(
        model="support",
        input=[
            {"role": "user", "content": "hi"},
            *(item.model_dump() for item in first.output),  # type: ignore[misc]
            {"role": "user", "content": [{"type": "input_text", "text": "again"}]},
        ],
        text={"verbosity": "low", "format": {"type": "text"}},
    )

    assert raw.headers["x-llm-resolver-ignored"] == "text.verbosity"
    assert sent(provider_emulator)["messages"][1] == {"role": "assistant", "content": "salut"}
