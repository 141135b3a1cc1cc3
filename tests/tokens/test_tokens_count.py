"""llm.count_tokens: the prompt's tokens with the model's tokenizer, before anything is sent."""

from __future__ import annotations

import pytest

from llm_resolver import ChatRequest, LLMBadRequestError, Message
from llm_resolver.testing import ProviderEmulator
from tests.helpers import MakeLLM


def test_counts_grow_with_the_prompt_and_send_nothing(
    provider_emulator: ProviderEmulator, make_llm: MakeLLM
) -> None:
    llm = make_llm()

    short = llm.count_tokens("hello")
    longer = llm.count_tokens("hello " * 100)

    assert 0 < short < longer
    assert longer - short >= 99  # each repeated word is at least one token
    assert provider_emulator.request_count() == 0


def test_every_message_and_the_tools_count(make_llm: MakeLLM) -> None:
    llm = make_llm()
    tool = {"type": "function", "function": {"name": "f", "description": "does f", "parameters": {}}}
    one = [Message.user("hello")]
    two = [Message.system("be brief"), Message.user("hello")]

    assert llm.count_tokens(two) > llm.count_tokens(one)
    assert llm.count_tokens(ChatRequest(messages=one, tools=[tool])) > llm.count_tokens(one)
    assert llm.count_tokens(one, tools=[tool]) == llm.count_tokens(ChatRequest(messages=one, tools=[tool]))


def test_the_count_is_the_tokenizers_not_a_character_estimate(make_llm: MakeLLM) -> None:
    # Ten tokens per sentence (nine words and the full stop), plus a few for the message framing;
    # a characters/4 estimate would say about 225.
    counted = make_llm().count_tokens("The quick brown fox jumps over the lazy dog. " * 20)

    assert 200 <= counted <= 210


def test_a_bad_request_is_refused(make_llm: MakeLLM) -> None:
    with pytest.raises(LLMBadRequestError):
        make_llm().count_tokens([])
