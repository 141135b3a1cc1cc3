"""The first errors a new user meets: a model LiteLLM cannot route, a missing key. Both are a
``SpecError`` when the LLM is resolved, before any request, naming what to set."""

from __future__ import annotations

import re
from typing import Any

import pytest

from llm_resolver import FallbackModel, LiteLLMResolver, LLMAuthenticationError, SpecError
from llm_resolver.catalog.providers import OTHER_CREDENTIAL_VARS
from llm_resolver.config.providers import PROVIDER_KEY_VARS
from llm_resolver.testing import Fault, ProviderEmulator, Reply

KEY_VARS = {var for group in (*PROVIDER_KEY_VARS.values(), *OTHER_CREDENTIAL_VARS.values()) for var in group}


@pytest.fixture(autouse=True)
def _no_keys_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)


def resolve(**properties: Any) -> Any:
    return LiteLLMResolver(env={}, max_retries=0, **properties).get_or_resolve()


@pytest.mark.parametrize("model", ["nonsense", "foo/bar"])
def test_a_model_litellm_cannot_route_is_a_spec_error_naming_the_providers(
    emu: ProviderEmulator, capsys: pytest.CaptureFixture[str], model: str
) -> None:
    with pytest.raises(SpecError) as caught:
        resolve(model=model, api_base=emu.openai_base, api_key="k")

    message = str(caught.value)
    assert message.startswith(f"model: LiteLLM knows no provider for {model!r}; write it as provider/model")
    assert "Known providers: " in message
    assert {"openai", "anthropic", "gemini", "ollama"} <= set(
        message.split("Known providers: ")[1].split(", ")
    )
    assert caught.value.field == "model"
    assert emu.requests == []
    assert "Provider List" not in capsys.readouterr().out


def test_a_misspelt_provider_gets_a_suggestion(emu: ProviderEmulator) -> None:
    with pytest.raises(SpecError, match="did you mean 'openai/gpt-4o-mini'"):
        resolve(model="opneai/gpt-4o-mini", api_base=emu.openai_base, api_key="k")


def test_a_fallback_litellm_cannot_route_names_the_fallbacks(emu: ProviderEmulator) -> None:
    with pytest.raises(SpecError, match="LiteLLM knows no provider for 'foo/bar'") as caught:
        resolve(
            model="openai/gpt-4o-mini", api_base=emu.openai_base, api_key="k", fallback_models=["foo/bar"]
        )
    assert caught.value.field == "fallback_models"


@pytest.mark.parametrize(
    ("model", "base"),
    [
        ("gpt-4o-mini", "openai_base"),  # a bare name LiteLLM infers
        ("openai/my-local-model", "openai_base"),  # a custom endpoint, in no price map
        ("anthropic/claude-haiku-4-5", "anthropic_base"),
    ],
)
def test_routable_models_with_a_key_resolve_and_answer(emu: ProviderEmulator, model: str, base: str) -> None:
    emu.script(Reply(text="fine"))

    assert (
        resolve(model=model, api_base=getattr(emu, base), api_key="placeholder").complete("hi").text == "fine"
    )


@pytest.mark.parametrize(
    ("model", "variables"),
    [
        ("anthropic/claude-haiku-4-5", "ANTHROPIC_API_KEY"),
        ("gemini/gemini-2.5-flash", "GEMINI_API_KEY or GOOGLE_API_KEY"),
        ("openai/gpt-4o-mini", "OPENAI_API_KEY"),
        ("gpt-4o-mini", "OPENAI_API_KEY"),
        ("mistral/mistral-small-latest", "MISTRAL_API_KEY"),
    ],
)
def test_a_missing_key_is_a_spec_error_naming_the_providers_variable(model: str, variables: str) -> None:
    with pytest.raises(SpecError) as caught:
        resolve(model=model)

    assert str(caught.value) == (
        f"model: no API key for {model!r}; set {variables} in the environment, or api_key in the spec. "
        "Nothing was sent."
    )
    assert caught.value.field == "model"


def test_the_providers_variable_satisfies_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "from-the-environment")

    assert resolve(model="gemini/gemini-2.5-flash").model == "gemini/gemini-2.5-flash"


def test_an_anthropic_auth_token_satisfies_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "bearer-token")

    assert resolve(model="anthropic/claude-haiku-4-5").model == "anthropic/claude-haiku-4-5"


def test_a_fallback_of_another_provider_without_a_key_names_its_variable(emu: ProviderEmulator) -> None:
    with pytest.raises(
        SpecError, match="no API key for 'anthropic/claude-haiku-4-5'; set ANTHROPIC_API_KEY"
    ) as caught:
        resolve(
            model="openai/gpt-4o-mini",
            api_base=emu.openai_base,
            api_key="k",
            fallback_models=["anthropic/claude-haiku-4-5"],
        )
    assert caught.value.field == "fallback_models"


@pytest.mark.parametrize(
    ("model", "base"), [("openai/my-local-model", "openai_base"), ("gemini/gemini-2.5-flash", "gemini_base")]
)
def test_a_client_that_needs_a_key_even_for_an_api_base_says_to_give_a_placeholder(
    emu: ProviderEmulator, model: str, base: str
) -> None:
    with pytest.raises(SpecError, match="set api_key \\(any placeholder if the server takes none\\)"):
        resolve(model=model, api_base=getattr(emu, base))
    assert emu.requests == []


def test_an_api_base_that_takes_no_key_is_left_to_decide(emu: ProviderEmulator) -> None:
    emu.script(Reply(text="no key needed"))

    llm = resolve(model="mistral/my-local-model", api_base=emu.openai_base)

    assert llm.complete("hi").text == "no key needed"
    assert "authorization" not in {name.lower() for name in emu.requests[-1].headers}


def test_a_rejected_key_names_the_providers_variable_and_cuts_the_providers_text_at_a_word(
    emu: ProviderEmulator,
) -> None:
    said = " ".join(f"word{n}" for n in range(200))
    emu.script(Fault(status=401, message=said))

    with pytest.raises(LLMAuthenticationError) as caught:
        resolve(model="anthropic/claude-haiku-4-5", api_base=emu.anthropic_base, api_key="wrong").complete(
            "hi"
        )

    error = caught.value
    assert "check api_key (or ANTHROPIC_API_KEY)" in error.summary
    assert "OPENAI_API_KEY" not in str(error)
    assert error.detail is not None
    assert error.detail.endswith(" …")
    assert error.detail.removesuffix(" …").split()[-1] in said.split()


def test_an_embedding_model_without_a_key_fails_before_any_request(emu: ProviderEmulator) -> None:
    llm = resolve(
        model="openai/gpt-4o-mini",
        api_base=emu.openai_base,
        api_key="k",
        embedding_model=FallbackModel(model="cohere/embed-english-v3.0"),
    )

    with pytest.raises(
        SpecError, match=re.escape("no API key for 'cohere/embed-english-v3.0'; set COHERE_API_KEY")
    ) as caught:
        llm.embed(["a"])
    assert caught.value.field == "embedding_model"
    assert emu.requests == []
