"""Config sources: spec properties > environment > the YAML file named by LLM_RESOLVER_CONFIG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llm_resolver import DependencySpec, FallbackModel, LiteLLMResolver, Scope
from llm_resolver.config.interpolation import interpolate
from llm_resolver.config.sources import build_config
from llm_resolver.host.dependencies import Dependencies
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import ANTHROPIC_KEY, OPENAI_KEY, PLAIN_SECRET


def write_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "llm.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


FILE_TEXT = """
model: openai/from-file
timeout: 11
max_retries: 1
temperature: 0.5
fallback_models: [openai/file-fallback]
"""

ENV_LAYER = {
    "LLM_MODEL": "openai/from-env",
    "LLM_TIMEOUT": "22",
    "LLM_MAX_RETRIES": "3",
    "LLM_FALLBACK_MODELS": "openai/env-a, openai/env-b",
}


def test_the_file_alone_supplies_every_setting(tmp_path: Path) -> None:
    config = build_config({}, {"LLM_RESOLVER_CONFIG": write_config(tmp_path, FILE_TEXT)})
    assert config.model == "openai/from-file"
    assert config.timeout == 11.0
    assert config.max_retries == 1
    assert config.temperature == 0.5
    assert config.fallback_models == ["openai/file-fallback"]


def test_environment_overrides_the_file_field_by_field(tmp_path: Path) -> None:
    env = {"LLM_RESOLVER_CONFIG": write_config(tmp_path, FILE_TEXT), **ENV_LAYER}
    config = build_config({}, env)
    assert config.model == "openai/from-env"
    assert config.timeout == 22.0
    assert config.max_retries == 3
    assert config.fallback_models == ["openai/env-a", "openai/env-b"]
    assert config.temperature == 0.5  # only in the file: still there


def test_spec_properties_override_environment_and_file(tmp_path: Path) -> None:
    env = {"LLM_RESOLVER_CONFIG": write_config(tmp_path, FILE_TEXT), **ENV_LAYER}
    config = build_config({"model": "openai/from-spec", "max_retries": 0}, env)
    assert config.model == "openai/from-spec"
    assert config.max_retries == 0
    assert config.timeout == 22.0  # from the environment
    assert config.temperature == 0.5  # from the file


def test_environment_values_are_parsed_to_their_types() -> None:
    config = build_config(
        {},
        {
            "LLM_MODEL": "openai/gpt-4o-mini",
            "LLM_TIMEOUT": "2.5",
            "LLM_MAX_RETRIES": "7",
            "LLM_FALLBACK_MODELS": " openai/a ,, anthropic/b ,",
        },
    )
    assert config.timeout == 2.5
    assert config.max_retries == 7
    assert config.fallback_models == ["openai/a", "anthropic/b"]


def test_empty_environment_variables_do_not_override_the_file(tmp_path: Path) -> None:
    env = {"LLM_RESOLVER_CONFIG": write_config(tmp_path, FILE_TEXT), "LLM_MODEL": "", "LLM_TIMEOUT": ""}
    config = build_config({}, env)
    assert config.model == "openai/from-file"
    assert config.timeout == 11.0


def test_an_empty_config_file_is_no_settings(tmp_path: Path) -> None:
    env = {"LLM_RESOLVER_CONFIG": write_config(tmp_path, "# nothing yet\n"), "LLM_MODEL": "openai/m"}
    assert build_config({}, env).model == "openai/m"


def test_fallback_models_take_a_comma_string_in_the_spec_too() -> None:
    config = build_config({"model": "openai/a", "fallback_models": "openai/b,openai/c"}, {})
    assert config.fallback_models == ["openai/b", "openai/c"]


@pytest.mark.parametrize(
    ("model", "env", "expected"),
    [
        ("openai/gpt-4o-mini", {"OPENAI_API_KEY": OPENAI_KEY}, OPENAI_KEY),
        ("anthropic/claude-haiku-4-5", {"ANTHROPIC_API_KEY": ANTHROPIC_KEY}, ANTHROPIC_KEY),
        ("gemini/gemini-2.5-flash", {"GEMINI_API_KEY": PLAIN_SECRET}, PLAIN_SECRET),
        ("gemini/gemini-2.5-flash", {"GOOGLE_API_KEY": PLAIN_SECRET}, PLAIN_SECRET),
        ("anthropic/claude-haiku-4-5", {"OPENAI_API_KEY": OPENAI_KEY}, None),
        ("gpt-4o-mini", {"OPENAI_API_KEY": OPENAI_KEY}, None),
    ],
    ids=["openai", "anthropic", "gemini", "gemini-google-var", "other-provider-key", "bare-model"],
)
def test_provider_key_variable_fills_api_key_for_a_prefixed_model(
    model: str, env: dict[str, str], expected: str | None
) -> None:
    config = build_config({"model": model}, env)
    assert (config.api_key.get_secret_value() if config.api_key else None) == expected


def test_spec_api_key_beats_the_provider_variable() -> None:
    config = build_config({"model": "openai/m", "api_key": PLAIN_SECRET}, {"OPENAI_API_KEY": OPENAI_KEY})
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == PLAIN_SECRET


def test_provider_variable_beats_an_api_key_in_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, f"model: openai/m\napi_key: {PLAIN_SECRET}\n")
    config = build_config({}, {"LLM_RESOLVER_CONFIG": path, "OPENAI_API_KEY": OPENAI_KEY})
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == OPENAI_KEY
    alone = build_config({}, {"LLM_RESOLVER_CONFIG": path})
    assert alone.api_key is not None
    assert alone.api_key.get_secret_value() == PLAIN_SECRET


def test_fallbacks_of_another_provider_get_that_providers_key() -> None:
    env = {"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_KEY}
    config = build_config(
        {
            "model": "openai/gpt-4o-mini",
            "fallback_models": [
                "openai/gpt-4o",  # same provider: shares the primary's key and endpoint
                "anthropic/claude-haiku-4-5",
                {"model": "anthropic/claude-sonnet-4-5", "api_base": "http://127.0.0.1:9"},
                {"model": "anthropic/claude-opus-4-1", "api_key": PLAIN_SECRET},
                "gemini/gemini-2.5-flash",  # no GEMINI_API_KEY: left to LiteLLM
            ],
        },
        env,
    )
    same, other, with_base, own_key, no_key = config.fallback_models
    assert same == "openai/gpt-4o"
    assert isinstance(other, FallbackModel)
    assert other.api_key is not None
    assert other.api_key.get_secret_value() == ANTHROPIC_KEY
    assert isinstance(with_base, FallbackModel)
    assert with_base.api_key is not None
    assert with_base.api_key.get_secret_value() == ANTHROPIC_KEY
    assert with_base.api_base == "http://127.0.0.1:9"
    assert isinstance(own_key, FallbackModel)
    assert own_key.api_key is not None
    assert own_key.api_key.get_secret_value() == PLAIN_SECRET
    assert no_key == "gemini/gemini-2.5-flash"


def test_file_interpolates_variables_defaults_and_escapes(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
model: ${PROVIDER}/${MODEL_NAME:-gpt-4o-mini}
timeout: ${TIMEOUT:-12.5}
api_base: http://${HOST}:${PORT:-8080}/v1
provider_options:
  user: "$${NOT_A_VAR}"
  prompt_cache_key: "${UNSET:-}"
  safety_settings: [{category: "${PROVIDER}", threshold: "${HOST}"}]
""",
    )
    config = build_config({}, {"LLM_RESOLVER_CONFIG": path, "PROVIDER": "openai", "HOST": "127.0.0.1"})
    assert config.model == "openai/gpt-4o-mini"
    assert config.timeout == 12.5
    assert config.api_base == "http://127.0.0.1:8080/v1"
    assert config.provider_options == {
        "user": "${NOT_A_VAR}",
        "prompt_cache_key": "",
        "safety_settings": [{"category": "openai", "threshold": "127.0.0.1"}],
    }


def test_a_set_variable_beats_its_default_even_when_empty() -> None:
    assert interpolate("${A:-fallback}", {"A": ""}) == ""
    assert interpolate("${A:-fallback}", {"A": "set"}) == "set"
    assert interpolate("$${A} and ${A}", {"A": "x"}) == "${A} and x"


def test_non_string_values_pass_through_interpolation() -> None:
    value: dict[str, Any] = {"n": 3, "f": 1.5, "b": True, "none": None, "list": [1, "${A}"]}
    assert interpolate(value, {"A": "a"}) == {"n": 3, "f": 1.5, "b": True, "none": None, "list": [1, "a"]}


def test_spec_properties_are_interpolated_from_the_env_given(builtin_plugins: PluginManager) -> None:
    spec = DependencySpec(
        class_name="litellm",
        properties={"model": "openai/${NAME}", "api_key": "${MY_KEY}", "timeout": "${T:-9}"},
    )
    resolver = spec.to_resolver(builtin_plugins, env={"NAME": "gpt-4o-mini", "MY_KEY": PLAIN_SECRET})
    assert isinstance(resolver, LiteLLMResolver)
    assert resolver.config.model == "openai/gpt-4o-mini"
    assert resolver.config.timeout == 9.0
    assert resolver.config.api_key is not None
    assert resolver.config.api_key.get_secret_value() == PLAIN_SECRET


def test_the_spec_env_also_feeds_the_environment_layer(builtin_plugins: PluginManager) -> None:
    spec = DependencySpec(class_name="litellm", properties={"timeout": 4})
    resolver = spec.to_resolver(builtin_plugins, env={"LLM_MODEL": "openai/from-env", "LLM_MAX_RETRIES": "5"})
    assert isinstance(resolver, LiteLLMResolver)
    assert (resolver.config.model, resolver.config.timeout, resolver.config.max_retries) == (
        "openai/from-env",
        4.0,
        5,
    )


def test_dependencies_resolve_with_their_env(builtin_plugins: PluginManager) -> None:
    deps = Dependencies.from_dict(
        {"llm": {"class_name": "litellm", "properties": {"api_key": "${K}"}}},
        plugins=builtin_plugins,
        env={"K": PLAIN_SECRET, "LLM_MODEL": "anthropic/claude-haiku-4-5"},
    )
    llm = deps.get("llm", Scope(org="acme"))
    assert llm.model == "anthropic/claude-haiku-4-5"
    assert llm.config.api_key.get_secret_value() == PLAIN_SECRET


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLM_RESOLVER_CONFIG", write_config(tmp_path, "model: openai/m\ntimeout: 3\n"))
    monkeypatch.setenv("LLM_MAX_RETRIES", "4")
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.delenv("LLM_MODEL", raising=False)
    monkeypatch.delenv("LLM_TIMEOUT", raising=False)
    config = LiteLLMResolver().config
    assert (config.model, config.timeout, config.max_retries) == ("openai/m", 3.0, 4)
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == OPENAI_KEY


def test_a_resolver_built_from_the_environment_alone_talks_to_the_provider(
    emu: ProviderEmulator, builtin_plugins: PluginManager
) -> None:
    emu.script(Reply(text="from env", usage=(3, 2)))
    env = {"LLM_MODEL": "openai/gpt-4o-mini", "LLM_API_BASE": emu.openai_base, "OPENAI_API_KEY": OPENAI_KEY}
    llm = LiteLLMResolver(plugins=builtin_plugins, env=env).get_or_resolve()
    assert llm.complete("hello").text == "from env"
    sent = emu.requests[-1]
    assert sent.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert sent.body is not None
    assert sent.body["model"] == "gpt-4o-mini"
