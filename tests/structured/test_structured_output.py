"""complete(..., response_model=...): validated replies, native or prompted, re-asked when invalid."""

from __future__ import annotations

import json

import pytest

from llm_resolver import ChatRequest, ChatResponse, LLMBadRequestError, LLMResponseError, Message
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.testing import Fault, ProviderEmulator, Reply
from tests.helpers import MakeLLM

from .conftest import Person

pytestmark = pytest.mark.usefixtures("litellm_async_clients")

# LiteLLM's map: gpt-4o-mini supports JSON-schema output, gpt-3.5-turbo does not.
NATIVE, PROMPTED = "openai/gpt-4o-mini", "openai/gpt-3.5-turbo"
GPT_4O_MINI_PRICES = (1.5e-07, 6e-07)


async def complete(llm: LiteLLM, mode: str, request: object, **options: object) -> ChatResponse:
    if mode == "sync":
        return llm.complete(request, **options)  # type: ignore[arg-type]
    return await llm.acomplete(request, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_an_invalid_reply_is_re_asked_with_the_validation_error(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    provider_emulator.script(
        Reply(text='{"name": "Ann", "age": "forty"}', usage=(20, 8)),
        Reply(text='{"name": "Ann", "age": 40}', usage=(40, 8)),
    )

    response = await complete(make_llm(model=NATIVE), mode, "Who is Ann?", response_model=Person)

    assert response.parsed == Person(name="Ann", age=40)
    assert response.text == '{"name": "Ann", "age": 40}'
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (60, 16)
    assert [a.outcome for a in response.attempts] == ["ok", "ok"]
    first, second = (r.body for r in provider_emulator.requests)
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["schema"] == Person.model_json_schema()
    assert second["messages"][:2] == [
        {"role": "user", "content": "Who is Ann?"},
        {"role": "assistant", "content": '{"name": "Ann", "age": "forty"}'},
    ]
    feedback = second["messages"][2]
    assert feedback["role"] == "user"
    assert "age: Input should be a valid integer" in feedback["content"]


async def test_the_cost_of_every_ask_is_summed(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    provider_emulator.script(
        Reply(text="not json", usage=(10, 5)), Reply(text='{"name": "A", "age": 1}', usage=(10, 5))
    )
    llm = make_llm()

    response = llm.complete("q", response_model=Person)

    per_ask = 10 * GPT_4O_MINI_PRICES[0] + 5 * GPT_4O_MINI_PRICES[1]
    assert response.cost_usd == pytest.approx(2 * per_ask)
    assert llm.meter.totals().cost_usd == pytest.approx(2 * per_ask)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_model_without_native_output_gets_the_schema_in_a_system_message(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    provider_emulator.script(
        Reply(text='Sure! Here it is:\n```json\n{"name": "Bo", "age": 7}\n```\nAnything else?')
    )
    request = [Message.system("You are terse."), Message.user("Who is Bo?")]

    response = await complete(make_llm(model=PROMPTED), mode, request, response_model=Person)

    assert response.parsed == Person(name="Bo", age=7)
    body = provider_emulator.requests[0].body
    assert "response_format" not in body
    system, instructions, user = body["messages"]
    assert system == {"role": "system", "content": "You are terse."}
    assert instructions["role"] == "system"
    assert json.dumps(Person.model_json_schema(), separators=(",", ":")) in instructions["content"]
    assert user["content"] == "Who is Bo?"


async def test_prose_around_a_bare_object_is_tolerated(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    provider_emulator.script(Reply(text='The answer is {"name": "Cy", "age": 3} as requested.'))

    assert make_llm(model=PROMPTED).complete("q", response_model=Person).parsed == Person(name="Cy", age=3)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_after_the_configured_re_asks_the_last_reply_is_on_the_error(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, mode: str
) -> None:
    provider_emulator.script(Reply(text='{"name": "A"}'), Reply(text='{"name": "A", "age": -1}'))

    with pytest.raises(LLMResponseError) as info:
        await complete(make_llm(structured_retries=1), mode, "q", response_model=Person)

    assert info.value.last_reply == '{"name": "A", "age": -1}'
    assert "after 2 tries" in str(info.value)
    assert "age: Input should be greater than or equal to 0" in str(info.value)
    assert not info.value.retryable
    assert len(info.value.attempts) == 2
    assert provider_emulator.request_count() == 2


async def test_zero_retries_means_one_ask(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    provider_emulator.script(Reply(text="nope"))

    with pytest.raises(LLMResponseError, match="not valid JSON"):
        make_llm(structured_retries=0).complete("q", response_model=Person)

    assert provider_emulator.request_count() == 1


async def test_the_default_is_two_re_asks(provider_emulator: ProviderEmulator, make_llm: MakeLLM) -> None:
    provider_emulator.script(Reply(text="a"), Reply(text="b"), Reply(text="c"), Reply(text="d"))

    with pytest.raises(LLMResponseError) as info:
        make_llm().complete("q", response_model=Person)

    assert info.value.last_reply == "c"
    assert provider_emulator.request_count() == 3


async def test_a_pydantic_class_as_response_format_is_parsed_too(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    provider_emulator.script(Reply(text='{"name": "Di", "age": 9}'))
    request = ChatRequest(messages=[Message.user("q")], response_format=Person)

    assert make_llm().complete(request).parsed == Person(name="Di", age=9)


async def test_each_fallback_gets_the_format_it_supports(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm(fallback_models=["openai/my-local-model"])
    provider_emulator.script(Fault.auth(), model="gpt-4o-mini")
    provider_emulator.script(Reply(text='{"name": "Ed", "age": 5}'), model="my-local-model")

    response = llm.complete("q", response_model=Person)

    assert response.parsed == Person(name="Ed", age=5)
    native, prompted = (r.body for r in provider_emulator.requests)
    assert native["response_format"]["type"] == "json_schema"
    assert "response_format" not in prompted
    assert prompted["messages"][0]["role"] == "system"


async def test_other_providers_get_their_native_form(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    anthropic = make_llm(model="anthropic/claude-haiku-4-5", api_base=provider_emulator.anthropic_base)
    gemini = make_llm(model="gemini/gemini-2.5-flash", api_base=provider_emulator.gemini_base)
    provider_emulator.script(Reply(text='{"name": "Fay", "age": 2}'), Reply(text='{"name": "Gus", "age": 3}'))

    assert anthropic.complete("q", response_model=Person).parsed == Person(name="Fay", age=2)
    assert gemini.complete("q", response_model=Person).parsed == Person(name="Gus", age=3)

    to_anthropic, to_gemini = (r.body for r in provider_emulator.requests)
    assert to_anthropic["output_format"]["type"] == "json_schema"
    assert to_gemini["generationConfig"]["response_mime_type"] == "application/json"


@pytest.mark.parametrize("operation", ["stream", "astream"])
async def test_streams_refuse_a_response_model_before_any_request(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, operation: str
) -> None:
    with pytest.raises(LLMBadRequestError, match="works with complete/acomplete"):
        getattr(make_llm(), operation)("q", response_model=Person)

    assert provider_emulator.request_count() == 0


@pytest.mark.parametrize("bad", [dict, Person(name="x", age=1), "Person"])
async def test_a_response_model_must_be_a_pydantic_class(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM, bad: object
) -> None:
    with pytest.raises(LLMBadRequestError, match="must be a pydantic BaseModel subclass"):
        make_llm().complete("q", response_model=bad)

    assert provider_emulator.request_count() == 0


async def test_per_call_options_reach_every_ask(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    provider_emulator.script(Reply(text="x"), Reply(text='{"name": "H", "age": 1}'))

    make_llm().complete("q", response_model=Person, temperature=0.1, deadline=30)

    assert [r.body["temperature"] for r in provider_emulator.requests] == [0.1, 0.1]
