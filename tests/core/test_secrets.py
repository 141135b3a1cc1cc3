"""No secret in any repr, str, dump, pickle, error message or log record written by us."""

from __future__ import annotations

import json
import logging
import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from llm_resolver import (
    DependencySpec,
    LiteLLMConfig,
    LiteLLMResolver,
    LLMError,
    LLMFallbacksExhaustedError,
    Scope,
    SpecError,
)
from llm_resolver.host.dependencies import Dependencies
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import Fault, ProviderEmulator

from .conftest import ANTHROPIC_KEY, HEADER_SECRET, OPENAI_KEY, PLAIN_SECRET

SECRETS = (OPENAI_KEY, ANTHROPIC_KEY, PLAIN_SECRET, HEADER_SECRET)


def assert_clean(*texts: Any) -> None:
    for text in texts:
        shown = text.decode("latin-1") if isinstance(text, bytes) else str(text)
        for secret in SECRETS:
            assert secret not in shown, f"a secret leaked into: {shown[:300]}"


def secret_properties(**extra: Any) -> dict[str, Any]:
    return {
        "model": "openai/gpt-4o-mini",
        "api_key": OPENAI_KEY,
        "extra_headers": {"X-Custom-Auth": HEADER_SECRET, "X-Tenant": PLAIN_SECRET},
        "fallback_models": [{"model": "anthropic/claude-haiku-4-5", "api_key": ANTHROPIC_KEY}],
        **extra,
    }


def dumps(model: Any) -> list[Any]:
    return [
        repr(model),
        str(model),
        model.model_dump(),
        model.model_dump_json(),
        json.dumps(model.model_dump()),
        yaml.safe_dump(model.model_dump()),
    ]


def test_config_never_shows_its_secrets() -> None:
    config = LiteLLMConfig.model_validate(
        secret_properties(provider_options={"aws_secret_access_key": PLAIN_SECRET, "aws_region_name": "eu"})
    )
    assert_clean(*dumps(config))
    # The values are still there for the call itself.
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == OPENAI_KEY
    assert config.provider_options["aws_secret_access_key"] == PLAIN_SECRET
    assert config.model_dump()["provider_options"]["aws_region_name"] == "eu"  # only secrets are masked
    assert set(config.secret_values()) == set(SECRETS)


def test_resolver_and_llm_never_show_secrets(builtin_plugins: PluginManager) -> None:
    resolver = LiteLLMResolver(plugins=builtin_plugins, env={}, **secret_properties())
    llm = resolver.get_or_resolve(Scope(org="acme"))
    assert_clean(repr(resolver), str(resolver), repr(llm), str(llm), *dumps(resolver.config))
    assert "openai/gpt-4o-mini" in repr(llm)


def test_spec_never_shows_secrets_but_keeps_them_for_resolving(builtin_plugins: PluginManager) -> None:
    spec = DependencySpec(class_name="litellm", properties=secret_properties(timeout=5))
    assert_clean(*dumps(spec))
    dumped = spec.model_dump()
    assert dumped["properties"]["timeout"] == 5
    assert dumped["properties"]["model"] == "openai/gpt-4o-mini"
    resolver = spec.to_resolver(builtin_plugins, env={})
    assert isinstance(resolver, LiteLLMResolver)
    assert resolver.config.secret_values() == [OPENAI_KEY, HEADER_SECRET, PLAIN_SECRET, ANTHROPIC_KEY]


def test_spec_masks_values_under_secret_named_keys_at_any_depth() -> None:
    spec = DependencySpec(
        class_name="x.Y",
        properties={
            "provider_options": {"vertex_credentials": {"private_key": PLAIN_SECRET, "n": 1}},
            "cache": {"backend": "redis", "password": HEADER_SECRET},
            "api_keys": [OPENAI_KEY, ANTHROPIC_KEY],
            "max_tokens": "100",  # "tokens" is not a secret word
        },
    )
    assert_clean(*dumps(spec), repr(Dependencies({"llm": spec})))
    assert spec.model_dump()["properties"]["max_tokens"] == "100"


def test_dependencies_repr_hides_secrets(builtin_plugins: PluginManager) -> None:
    deps = Dependencies.from_dict({"llm": {"class_name": "litellm", "properties": secret_properties()}})
    assert_clean(repr(deps), str(deps))


def test_secret_given_through_a_variable_is_used_and_never_shown(
    emu: ProviderEmulator, builtin_plugins: PluginManager
) -> None:
    spec = DependencySpec(
        class_name="litellm",
        properties={"model": "openai/gpt-4o-mini", "api_base": emu.openai_base, "api_key": "${MY_KEY}"},
    )
    resolver = spec.to_resolver(builtin_plugins, env={"MY_KEY": PLAIN_SECRET})
    assert isinstance(resolver, LiteLLMResolver)
    llm = resolver.get_or_resolve()
    assert_clean(*dumps(spec), repr(resolver), repr(llm), *dumps(resolver.config))
    assert spec.properties["api_key"].get_secret_value() == "${MY_KEY}"  # the reference, not the value
    llm.complete("hi")
    assert emu.requests[-1].headers["authorization"] == f"Bearer {PLAIN_SECRET}"


@pytest.mark.parametrize(
    "bad",
    [
        {"timeout": "abc"},
        {"api_key": 12345},
        {"extra_headers": {"X-Custom-Auth": 7}},
        {"apikey": PLAIN_SECRET},
        {"fallback_models": [{"model": "openai/b", "api_key": ANTHROPIC_KEY, "bogus": PLAIN_SECRET}]},
        {"api_base": f"{PLAIN_SECRET}@host"},
    ],
)
def test_spec_errors_never_carry_secrets(bad: dict[str, Any]) -> None:
    with pytest.raises(SpecError) as caught:
        LiteLLMResolver(env={"OPENAI_API_KEY": OPENAI_KEY}, **{**secret_properties(), **bad})
    err = caught.value
    assert_clean(str(err), repr(err), err.args, pickle.dumps(err))
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is SpecError
    assert (str(copy), copy.field) == (str(err), err.field)


def test_malformed_reference_inside_a_secret_does_not_echo_it(builtin_plugins: PluginManager) -> None:
    spec = DependencySpec(class_name="litellm", properties={"model": "m", "api_key": PLAIN_SECRET + "${oops"})
    with pytest.raises(SpecError, match="malformed variable reference") as caught:
        spec.to_resolver(builtin_plugins, env={})
    assert_clean(str(caught.value), pickle.dumps(caught.value))


def test_yaml_syntax_error_does_not_quote_the_line_holding_a_key(tmp_path: Path) -> None:
    path = tmp_path / "llm.yaml"
    path.write_text(f"model: openai/m\napi_key: {PLAIN_SECRET}: oops\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"not valid YAML \(line 2") as caught:
        LiteLLMResolver(env={"LLM_RESOLVER_CONFIG": str(path)})
    assert_clean(str(caught.value))


def test_yaml_syntax_error_in_dependencies_does_not_quote_the_file() -> None:
    text = f"llm:\n  class_name: litellm\n  properties: {{api_key: {PLAIN_SECRET}: x}}\n"
    with pytest.raises(SpecError, match="not valid YAML") as caught:
        Dependencies.from_yaml(text)
    assert_clean(str(caught.value))


URL_PASSWORD = "hunter2-" + "proxy-pass"  # shaped like no key: hidden only if never written


def with_credentials(url: str, user: str = "proxyuser") -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{URL_PASSWORD}@{rest}"


def test_credentials_inside_urls_never_show(builtin_plugins: PluginManager) -> None:
    properties = {
        "model": "openai/gpt-4o-mini",
        "api_base": with_credentials("https://proxy.example/v1"),
        "fallback_models": [{"model": "openai/gpt-4o", "api_base": with_credentials("https://b.example/v1")}],
        "embedding_model": {
            "model": "openai/text-embedding-3-small",
            "api_base": with_credentials("https://e.example"),
        },
    }
    config = LiteLLMConfig.model_validate(properties)
    spec = DependencySpec(class_name="litellm", properties=properties)
    resolver = LiteLLMResolver(plugins=builtin_plugins, env={}, **properties)
    llm = resolver.get_or_resolve()

    shown = [*dumps(config), *dumps(spec), repr(resolver), repr(llm), repr(Dependencies({"llm": spec}))]
    for text in shown:
        assert URL_PASSWORD not in str(text), f"a URL password leaked into: {str(text)[:300]}"
    assert "https://**********@proxy.example/v1" in repr(config)
    assert config.api_base == properties["api_base"]  # still there for the call itself
    assert {f"proxyuser:{URL_PASSWORD}", URL_PASSWORD} <= set(config.secret_values())


def test_provider_errors_quoting_url_credentials_are_scrubbed(
    emu: ProviderEmulator, builtin_plugins: PluginManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base = with_credentials(emu.openai_base)
    # A proxy that echoes the URL, and the password on its own where no URL shape gives it away.
    emu.script(Fault.bad_request(f"proxy at {base} refused user proxyuser with password {URL_PASSWORD}"))
    llm = LiteLLMResolver(
        plugins=builtin_plugins, env={}, model="openai/gpt-4o-mini", api_base=base, api_key="x", max_retries=0
    ).get_or_resolve()

    with pytest.raises(LLMError, match="refused user proxyuser") as caught:
        llm.complete("hello")
    err = caught.value
    assert emu.request_count() == 1
    for text in (str(err), repr(err), pickle.dumps(err).decode("latin-1"), repr(err.attempts)):
        assert URL_PASSWORD not in text, f"a URL password leaked into: {text[:300]}"
    for record in caplog.records:
        if record.name.startswith("llm_resolver"):
            assert URL_PASSWORD not in record.getMessage(), f"{record.name} logged a URL password"


@pytest.mark.usefixtures("litellm_async_clients")
async def test_no_secret_in_logs_or_errors_of_a_failing_call(
    emu: ProviderEmulator, builtin_plugins: PluginManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emu.script(Fault.auth(), Fault.auth())
    resolver = LiteLLMResolver(
        plugins=builtin_plugins,
        env={},
        model="openai/gpt-4o-mini",
        api_base=emu.openai_base,
        api_key=OPENAI_KEY,
        extra_headers={"X-Custom-Auth": HEADER_SECRET},
        fallback_models=[
            {"model": "anthropic/claude-haiku-4-5", "api_base": emu.anthropic_base, "api_key": ANTHROPIC_KEY}
        ],
    )
    llm = await resolver.aresolve(Scope(org="acme"))
    with pytest.raises(LLMFallbacksExhaustedError) as caught:
        await llm.acomplete("hello")
    err = caught.value
    assert [r.provider for r in emu.requests] == ["openai", "anthropic"]  # both keys were really sent
    assert emu.requests[0].headers["x-custom-auth"] == HEADER_SECRET
    assert isinstance(err.last_error, LLMError)
    assert_clean(str(err), repr(err), pickle.dumps(err), str(err.last_error), err.attempts)

    records = caplog.records
    assert records, "DEBUG capture saw nothing; the check below would prove nothing"
    for record in records:
        text = record.getMessage() + (caplog.handler.format(record) if record.exc_info else "")
        for key in (OPENAI_KEY, ANTHROPIC_KEY):
            assert key not in text, f"{record.name} logged an API key"
        # LiteLLM's and the OpenAI SDK's own DEBUG records print request headers verbatim; ours and
        # everything at INFO and above must not.
        if record.name.startswith("llm_resolver") or record.levelno >= logging.INFO:
            assert HEADER_SECRET not in text, f"{record.name} logged a header value"
