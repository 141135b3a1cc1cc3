"""The injected object on its own: both protocols, per-call model, errors both ours and Rustic's."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from llm_resolver_rustic import LiteLLMResolver, RusticLLM, to_rustic
from rustic_ai.core.guild.agent_ext.depends.llm import LLM as RusticLLMBase
from rustic_ai.core.guild.agent_ext.depends.llm.models import (
    APIError,
    ChatCompletionRequest,
    FinishReason,
    ResponseCodes,
    UserMessage,
)

import llm_resolver
from llm_resolver import (
    LLMAuthenticationError,
    LLMBadRequestError,
    LLMBudgetExceededError,
    LLMConnectionError,
    LLMContentPolicyError,
    LLMContextWindowError,
    LLMError,
    LLMFallbacksExhaustedError,
    LLMRateLimitError,
    LLMResponseError,
    LLMServiceError,
    LLMTimeoutError,
)
from llm_resolver.testing import Fault, ProviderEmulator


def _prompt(text: str = "hello") -> ChatCompletionRequest:
    return ChatCompletionRequest(messages=[UserMessage(content=text)])


def test_one_object_is_rusticS_llm_and_ours(emulator_props: dict[str, Any]) -> None:
    llm = LiteLLMResolver(**emulator_props).get_or_resolve("acme", "g", "a")
    assert isinstance(llm, RusticLLMBase)
    assert isinstance(llm, llm_resolver.LLM)
    assert llm.model == "openai/gpt-4o-mini"
    assert llm.complete("hi").text == "echo: hi"
    with llm.stream("hi") as stream:
        assert "".join(c.text for c in stream) == "echo: hi"
    vectors = llm.embed(["a", "b"], model="openai/text-embedding-3-small").vectors
    assert vectors == [ProviderEmulator.embedding_for("a"), ProviderEmulator.embedding_for("b")]


async def test_async_protocol_methods(emulator_props: dict[str, Any]) -> None:
    llm = LiteLLMResolver(**emulator_props).get_or_resolve("acme", "g", "a")
    assert (await llm.acomplete("hi")).text == "echo: hi"
    response = await llm.async_completion(_prompt())
    assert response.choices[0].message.content == "echo: hello"


def test_a_call_may_name_another_model_and_keeps_the_meter(
    emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    llm = LiteLLMResolver(**emulator_props).get_or_resolve("acme", "g", "a")
    response = llm.completion(_prompt(), model="openai/gpt-4o")
    assert response.model == "openai/gpt-4o"
    assert provider_emulator.request_count(model="gpt-4o") == 1
    assert llm.meter.totals(llm.scope).calls == 1


def test_a_finish_reason_rusticS_enum_lacks_is_kept_beside_it() -> None:
    from llm_resolver_rustic.convert import to_response

    from llm_resolver import ChatResponse

    choice = to_response(ChatResponse.from_text("hm", "m", finish_reason="pause_turn")).choices[0]
    assert choice.finish_reason == FinishReason.stop
    assert (choice.provider_specific_fields or {})["finish_reason"] == "pause_turn"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (LLMAuthenticationError("no", status_code=401), ResponseCodes.AUTHENTICATION_ERROR),
        (LLMAuthenticationError("no", status_code=403), ResponseCodes.PERMISSION_DENIED_ERROR),
        (LLMRateLimitError("slow down", retry_after=3), ResponseCodes.RATE_LIMIT_ERROR),
        (LLMTimeoutError("late", status_code=408), ResponseCodes.API_TIMEOUT_ERROR),
        (LLMConnectionError("gone"), ResponseCodes.API_CONNECTION_ERROR),
        (LLMServiceError("down", status_code=503), ResponseCodes.INTERNAL_SERVER_ERROR),
        (LLMBadRequestError("bad", status_code=404), ResponseCodes.NOT_FOUND_ERROR),
        (LLMContextWindowError("long"), ResponseCodes.CONTEXT_WINDOW_EXCEEDED_ERROR),
        (LLMContentPolicyError("no"), ResponseCodes.CONTENT_POLICY_VIOLATION_ERROR),
        (LLMResponseError("garbled"), ResponseCodes.RESPONSE_PROCESSING_ERROR),
        (LLMBudgetExceededError("over"), ResponseCodes.RATE_LIMIT_ERROR),
        (
            LLMFallbacksExhaustedError("all failed", last_error=LLMTimeoutError("late")),
            ResponseCodes.API_TIMEOUT_ERROR,
        ),
    ],
)
def test_each_error_is_ours_and_rusticS_with_its_code(error: LLMError, code: ResponseCodes) -> None:
    converted = to_rustic(error)
    assert isinstance(converted, type(error))
    assert isinstance(converted, APIError)
    assert ResponseCodes(converted.status_code) is code
    assert converted.http_status == error.status_code
    assert converted.message == error.message
    if isinstance(error, LLMRateLimitError):
        assert converted.retry_after == 3  # type: ignore[attr-defined]
    assert type(pickle.loads(pickle.dumps(converted))) is type(converted)


def test_provider_errors_arrive_converted(
    emulator_props: dict[str, Any], provider_emulator: ProviderEmulator
) -> None:
    provider_emulator.script(Fault.context_window())
    llm = LiteLLMResolver(**emulator_props).get_or_resolve("acme", "g", "a")
    with pytest.raises(LLMContextWindowError) as caught:
        llm.completion(_prompt())
    assert isinstance(caught.value, APIError)
    assert caught.value.status_code == ResponseCodes.CONTEXT_WINDOW_EXCEEDED_ERROR


def test_get_config_masks_secrets(emulator_props: dict[str, Any]) -> None:
    llm = LiteLLMResolver(**emulator_props).get_or_resolve("acme", "g", "a")
    assert isinstance(llm, RusticLLM)
    config = llm.get_config()
    assert config["model"] == "openai/gpt-4o-mini"
    assert config["api_key"] != "test-key"
    assert "test-key" not in repr(config)
