"""Every way a spec, the environment or the config file can be wrong: a SpecError that names the field
or variable and says what to change."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import DependencyResolver, DependencySpec, LiteLLMResolver, Scope, SpecError
from llm_resolver.config.sources import build_config
from llm_resolver.plugins.manager import PluginManager


def spec_error(properties: dict[str, Any], env: dict[str, str] | None = None) -> SpecError:
    with pytest.raises(SpecError) as caught:
        LiteLLMResolver(env=env or {}, **properties)
    return caught.value


def write_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "llm.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


BASE = {"model": "openai/gpt-4o-mini"}


def test_unknown_property_lists_the_known_ones_and_suggests_the_closest() -> None:
    err = spec_error({**BASE, "tmeout": 5})
    assert err.field == "tmeout"
    assert "tmeout: unknown setting (set by spec properties)" in str(err)
    assert "did you mean 'timeout'?" in str(err)
    assert "known settings:" in str(err)
    for known in ("api_key", "fallback_models", "max_retries", "timeout"):
        assert known in str(err)


def test_unknown_property_via_a_spec_is_the_same_error(builtin_plugins: PluginManager) -> None:
    spec = DependencySpec(class_name="litellm", properties={**BASE, "colour": "blue"})
    with pytest.raises(SpecError, match=r"colour: unknown setting.*known settings: .*timeout"):
        spec.to_resolver(builtin_plugins, env={})


def test_unknown_setting_in_the_config_file_names_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "model: openai/m\nretries: 2\n")
    err = spec_error({}, {"LLM_RESOLVER_CONFIG": path})
    assert "retries: unknown setting" in str(err)
    assert f"config file {path}" in str(err)
    assert "did you mean 'max_retries'?" in str(err)


def test_wrong_type_in_a_spec_names_the_field() -> None:
    err = spec_error({**BASE, "timeout": "abc"})
    assert err.field == "timeout"
    assert "timeout: Input should be a valid number" in str(err)
    assert "spec properties" in str(err)


@pytest.mark.parametrize(
    ("var", "value", "field", "expected"),
    [
        ("LLM_TIMEOUT", "abc", "timeout", "valid number"),
        ("LLM_MAX_RETRIES", "many", "max_retries", "valid integer"),
        ("LLM_TIMEOUT", "-3", "timeout", "greater than 0"),
        ("LLM_API_BASE", "localhost:8080", "api_base", "http:// or https:// URL"),
    ],
)
def test_wrong_environment_value_names_the_variable(var: str, value: str, field: str, expected: str) -> None:
    err = spec_error({}, {"LLM_MODEL": "openai/m", var: value})
    assert err.field == field
    assert f"environment variable {var}" in str(err)
    assert expected in str(err)


def test_wrong_type_in_the_config_file_names_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "model: openai/m\nmax_retries: lots\n")
    err = spec_error({}, {"LLM_RESOLVER_CONFIG": path})
    assert "max_retries: Input should be a valid integer" in str(err)
    assert f"config file {path}" in str(err)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("timeout", 0, "greater than 0"),
        ("timeout", -1.5, "greater than 0"),
        ("deadline", 0, "greater than 0"),
        ("max_retries", -1, "greater than or equal to 0"),
        ("max_retries", 21, "less than or equal to 20"),
        ("temperature", 2.5, "less than or equal to 2"),
        ("temperature", -0.1, "greater than or equal to 0"),
        ("top_p", 1.01, "less than or equal to 1"),
        ("max_tokens", 0, "greater than 0"),
        ("frequency_penalty", 3, "less than or equal to 2"),
        ("presence_penalty", -3, "greater than or equal to -2"),
        ("budget_usd", -0.01, "greater than or equal to 0"),
        ("input_cost_per_token", -1e-6, "greater than or equal to 0"),
    ],
)
def test_out_of_range_values_say_the_allowed_range(field: str, value: float, expected: str) -> None:
    err = spec_error({**BASE, field: value})
    assert err.field == field
    assert f"{field}: Input should be {expected}" in str(err)


def test_out_of_range_nested_retry_setting_names_the_path() -> None:
    err = spec_error({**BASE, "retry": {"jitter": 1.5}})
    assert err.field == "retry.jitter"
    assert "retry.jitter: Input should be less than or equal to 1" in str(err)


def test_unknown_nested_retry_setting_lists_the_retry_settings() -> None:
    err = spec_error({**BASE, "retry": {"wait": 1}})
    assert "retry.wait: unknown setting" in str(err)
    assert "initial_wait" in str(err)
    assert "fallback_models" not in str(err)  # the retry settings, not the top-level ones


def test_several_problems_are_reported_together() -> None:
    err = spec_error({**BASE, "timeout": "abc", "max_tokens": -1, "extra": 1})
    for field in ("timeout", "max_tokens", "extra"):
        assert f"{field}:" in str(err)


def test_missing_model_says_where_to_set_it() -> None:
    err = spec_error({"timeout": 5})
    assert err.field == "model"
    assert "model: required" in str(err)
    for where in ("spec properties", "LLM_MODEL", "LLM_RESOLVER_CONFIG"):
        assert where in str(err)


def test_empty_model_is_refused() -> None:
    err = spec_error({"model": ""})
    assert "model: String should have at least 1 character" in str(err)


def test_missing_variable_in_a_spec_names_the_variable(builtin_plugins: PluginManager) -> None:
    spec = DependencySpec(class_name="litellm", properties={**BASE, "api_key": "${LLM_TEST_UNSET_KEY}"})
    with pytest.raises(SpecError) as caught:
        spec.to_resolver(builtin_plugins, env={})
    assert caught.value.field == "api_key"
    assert "environment variable LLM_TEST_UNSET_KEY is not set" in str(caught.value)
    assert "${LLM_TEST_UNSET_KEY:-default}" in str(caught.value)


def test_missing_variable_in_the_file_names_the_variable_and_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "model: openai/m\nproviders:\n  - base: ${NO_SUCH_HOST}\n")
    err = spec_error({}, {"LLM_RESOLVER_CONFIG": path})
    assert "NO_SUCH_HOST is not set" in str(err)
    assert "providers[0].base" in str(err)
    assert "LLM_RESOLVER_CONFIG" in str(err)


@pytest.mark.parametrize("reference", ["${}", "${1ABC}", "${UNCLOSED", "${A:default}", "${A-b}", "${A B}"])
def test_malformed_variable_reference_shows_the_right_forms(reference: str) -> None:
    spec = DependencySpec(class_name="litellm", properties={**BASE, "api_base": f"http://{reference}/v1"})
    with pytest.raises(SpecError) as caught:
        spec.to_resolver(env={"A": "a"})
    assert caught.value.field == "api_base"
    assert "malformed variable reference" in str(caught.value)
    assert "${NAME} or ${NAME:-default}" in str(caught.value)


def test_unreadable_config_file_names_the_variable_and_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.yaml")
    err = spec_error({}, {"LLM_RESOLVER_CONFIG": missing})
    assert err.field == "LLM_RESOLVER_CONFIG"
    assert f"LLM_RESOLVER_CONFIG={missing!r} cannot be read (No such file or directory)" in str(err)
    assert "fix the path" in str(err)
    directory = spec_error({}, {"LLM_RESOLVER_CONFIG": str(tmp_path)})
    assert "cannot be read (Is a directory)" in str(directory)


def test_non_utf8_config_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("model: caf\xe9\n".encode("latin-1"))
    err = spec_error({}, {"LLM_RESOLVER_CONFIG": str(path)})
    assert "is not UTF-8 text" in str(err)


def test_invalid_yaml_config_file_gives_line_and_problem(tmp_path: Path) -> None:
    path = write_config(tmp_path, "model: openai/m\ntimeout: [1, 2\n")
    err = spec_error({}, {"LLM_RESOLVER_CONFIG": path})
    assert err.field == "LLM_RESOLVER_CONFIG"
    assert "is not valid YAML (line " in str(err)
    assert "fix it" in str(err)


@pytest.mark.parametrize(("text", "kind"), [("- openai/m\n- x\n", "list"), ("just a string\n", "str")])
def test_config_file_must_hold_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    err = spec_error({}, {"LLM_RESOLVER_CONFIG": write_config(tmp_path, text)})
    assert f"must hold a mapping of settings such as 'model: openai/gpt-4o-mini', not a {kind}" in str(err)


def test_unknown_short_name_lists_the_known_ones(builtin_plugins: PluginManager) -> None:
    with pytest.raises(SpecError) as caught:
        DependencySpec(class_name="openai").to_resolver(builtin_plugins)
    assert caught.value.field == "class_name"
    assert "unknown resolver 'openai'; known short names: litellm" in str(caught.value)
    assert "dotted path" in str(caught.value)


@pytest.mark.parametrize(
    ("class_name", "expected"),
    [
        ("llm_resolver.no_such_module.Thing", "cannot import module 'llm_resolver.no_such_module'"),
        ("no_such_package_xyz.mod.Thing", "cannot import module 'no_such_package_xyz.mod'"),
        (
            "llm_resolver.types.scope.Nope",
            "module 'llm_resolver.types.scope' has no attribute 'Nope'",
        ),
        ("llm_resolver.types.scope.Scope", "is class Scope, not a DependencyResolver subclass"),
        ("json.dumps", "is a function, not a DependencyResolver subclass"),
        ("llm_resolver.resolution.resolver.DependencyResolver", "is abstract"),
        (".Leading", "is not a dotted path"),
        ("pkg..Class", "is not a dotted path"),
        ("pkg.module:Class", "is not a dotted path"),
    ],
)
def test_bad_dotted_paths(class_name: str, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        DependencySpec(class_name=class_name).to_resolver(env={})
    assert caught.value.field == "class_name"
    assert expected in str(caught.value)


def test_module_that_fails_on_import_is_a_spec_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = f"llmr_broken_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text("raise RuntimeError('half-written module')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SpecError) as caught:
        DependencySpec(class_name=f"{module}.Resolver").to_resolver(env={})
    assert f"importing module {module!r} failed (RuntimeError: half-written module)" in str(caught.value)


class NeedsNothing(DependencyResolver[str]):
    def __init__(self) -> None:
        self.made = True

    def resolve(self, scope: Scope) -> str:
        return str(scope)


def test_properties_a_resolver_does_not_take_are_a_spec_error() -> None:
    spec = DependencySpec(class_name=f"{__name__}.NeedsNothing", properties={"model": "x"})
    with pytest.raises(SpecError) as caught:
        spec.to_resolver(env={})
    assert caught.value.field == "properties"
    assert "unexpected keyword argument 'model'" in str(caught.value)
    assert DependencySpec(class_name=f"{__name__}.NeedsNothing").to_resolver().get_or_resolve() == "*/*/*"


@pytest.mark.parametrize("base", ["localhost:8080", "ftp://host", "127.0.0.1/v1", ""])
def test_bad_api_base_asks_for_an_http_url(base: str) -> None:
    err = spec_error({**BASE, "api_base": base})
    assert err.field == "api_base"
    assert "api_base: Value error, must be an http:// or https:// URL" in str(err)


def test_fallback_mapping_with_an_unknown_key_lists_the_fallback_settings() -> None:
    err = spec_error({**BASE, "fallback_models": ["openai/ok", {"model": "openai/b", "api_bse": "http://h"}]})
    assert err.field == "fallback_models.1.api_bse"
    assert "fallback_models.1.api_bse: unknown setting" in str(err)
    assert "did you mean 'api_base'?" in str(err)
    assert "known settings: api_base, api_key" in str(err)
    assert "deadline" not in str(err)  # a top-level setting, not one a fallback takes
    assert "(mapping)" not in str(err)
    assert "valid string" not in str(err)  # no noise from the other union member


def test_fallback_mapping_without_a_model() -> None:
    err = spec_error({**BASE, "fallback_models": [{"api_base": "http://h"}]})
    assert "fallback_models.0.model: Field required" in str(err)


@pytest.mark.parametrize("entry", [5, None, ["openai/a"]])
def test_fallback_that_is_neither_name_nor_mapping(entry: Any) -> None:
    err = spec_error({**BASE, "fallback_models": [entry]})
    assert err.field == "fallback_models.0"
    assert "a fallback is a model name or a mapping of model, api_key, api_base" in str(err)


def test_fallback_mapping_with_bad_values_names_them() -> None:
    err = spec_error(
        {**BASE, "fallback_models": [{"model": "openai/b", "timeout": 0, "api_base": "h", "api_key": 3}]}
    )
    for part in ("fallback_models.0.timeout", "fallback_models.0.api_base", "fallback_models.0.api_key"):
        assert part in str(err)


def test_build_config_is_where_the_errors_come_from() -> None:
    with pytest.raises(SpecError, match="model: required"):
        build_config({}, {})


@pytest.mark.parametrize(
    ("properties", "field", "hint"),
    [
        (
            {"model_info": {"openai/m": {"max_input_tokns": 8}}},
            "model_info.openai/m.max_input_tokns",
            "max_input_tokens",
        ),
        (
            {"embedding_model": {"model": "openai/e", "api_bse": "http://h"}},
            "embedding_model.api_bse",
            "api_base",
        ),
        (
            {"embedding_fallback_models": [{"model": "openai/e", "timout": 3}]},
            "embedding_fallback_models.0.timout",
            "timeout",
        ),
    ],
)
def test_nested_settings_hint_from_their_own_fields(
    properties: dict[str, object], field: str, hint: str
) -> None:
    err = spec_error({**BASE, **properties})
    assert err.field == field
    assert f"did you mean '{hint}'?" in str(err)
    assert "deadline" not in str(err)
