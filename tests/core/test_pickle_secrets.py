"""A pickled spec, config or resolver never carries a secret's value: it carries the ``${VAR}`` the
secret was read from (read again where it is unpickled), or pickling refuses with a SpecError."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import DependencySpec, LiteLLMConfig, LiteLLMResolver, Scope, SpecError
from llm_resolver.config.sources import build_config
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import ANTHROPIC_KEY, HEADER_SECRET, OPENAI_KEY, PLAIN_SECRET

SECRETS = (OPENAI_KEY, ANTHROPIC_KEY, PLAIN_SECRET, HEADER_SECRET)


def assert_no_secret(data: bytes | str) -> None:
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    for secret in SECRETS:
        assert secret not in text, "a secret value was pickled"


def in_a_worker(code: str, data: bytes, **variables: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``code`` in a fresh interpreter with ``data`` on stdin and only ``variables`` set of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENAI_", "ANTHROPIC_"))}
    env.update(variables, LLM_RESOLVER_PLUGINS="")
    return subprocess.run(
        [sys.executable, "-c", code], input=data, capture_output=True, timeout=120, env=env, check=False
    )


# Spec ------------------------------------------------------------------------------------------------


def test_a_spec_pickles_its_references_as_written() -> None:
    spec = DependencySpec(
        class_name="litellm",
        properties={
            "model": "openai/gpt-4o-mini",
            "api_key": "${MY_KEY}",
            "extra_headers": {"X-Auth": "${MY_HEADER}"},
            "fallback_models": [{"model": "anthropic/claude-haiku-4-5", "api_key": "${FALLBACK_KEY}"}],
        },
    )
    data = pickle.dumps(spec)
    assert b"${MY_KEY}" in data
    copy = pickle.loads(data)
    assert copy.properties["api_key"].get_secret_value() == "${MY_KEY}"
    assert copy.properties["fallback_models"][0]["api_key"].get_secret_value() == "${FALLBACK_KEY}"


@pytest.mark.parametrize(
    ("properties", "setting"),
    [
        ({"api_key": OPENAI_KEY}, "properties.api_key"),
        ({"extra_headers": {"Authorization": "Bearer ${TOKEN}"}}, "properties.extra_headers.Authorization"),
        (
            {"fallback_models": [{"model": "openai/b", "api_key": ANTHROPIC_KEY}]},
            "properties.fallback_models[0].api_key",
        ),
        (
            {"provider_options": {"aws_secret_access_key": PLAIN_SECRET}},
            "properties.provider_options.aws_secret_access_key",
        ),
    ],
)
def test_a_spec_with_a_written_out_secret_refuses_to_pickle(properties: dict[str, Any], setting: str) -> None:
    spec = DependencySpec(class_name="litellm", properties={"model": "openai/m", **properties})
    with pytest.raises(SpecError) as caught:
        pickle.dumps(spec)
    err = caught.value
    assert err.field == setting
    assert str(err).startswith(f"{setting}: a pickle never carries a secret")
    assert "write it as ${VAR}" in str(err)
    assert_no_secret(str(err))


# Config ----------------------------------------------------------------------------------------------


def config_from_every_source(tmp_path: Path) -> tuple[LiteLLMConfig, dict[str, str]]:
    """Secrets in every place a config holds them, read from the spec, the environment and the file."""
    path = tmp_path / "llm.yaml"
    path.write_text(
        "provider_options: {aws_secret_access_key: '${AWS_SECRET}', aws_region_name: eu}\n"
        "cost_meters: [{name: ledger, token: '${LEDGER_TOKEN}'}]\n",
        encoding="utf-8",
    )
    env = {
        "LLM_RESOLVER_CONFIG": str(path),
        "MY_KEY": OPENAI_KEY,
        "MY_HEADER": HEADER_SECRET,
        "ANTHROPIC_API_KEY": ANTHROPIC_KEY,  # a provider's key variable fills the fallback's key
        "AWS_SECRET": PLAIN_SECRET,
        "LEDGER_TOKEN": PLAIN_SECRET + "-ledger",
        "EMBED_KEY": OPENAI_KEY + "-embed",
    }
    properties = {
        "model": "openai/gpt-4o-mini",
        "api_key": "${MY_KEY}",
        "extra_headers": {"X-Auth": "${MY_HEADER}"},
        "fallback_models": ["anthropic/claude-haiku-4-5"],
        "embedding_model": {"model": "openai/text-embedding-3-small", "api_key": "${EMBED_KEY}"},
    }
    return build_config(properties, env), env


def test_a_config_pickles_each_secret_as_the_variable_it_came_from(tmp_path: Path) -> None:
    config, env = config_from_every_source(tmp_path)
    assert len(config.secret_values()) == 6
    data = pickle.dumps(config)
    assert_no_secret(data)
    for name in ("MY_KEY", "MY_HEADER", "ANTHROPIC_API_KEY", "AWS_SECRET", "LEDGER_TOKEN", "EMBED_KEY"):
        assert f"${{{name}}}".encode() in data
    child = in_a_worker(
        "import json, pickle, sys\n"
        "config = pickle.loads(sys.stdin.buffer.read())\n"
        "print(json.dumps([config.api_key.get_secret_value(), sorted(config.secret_values()), config.model_dump()]))",
        data,
        **{k: v for k, v in env.items() if k != "LLM_RESOLVER_CONFIG"},
    )
    assert child.returncode == 0, child.stderr.decode()
    api_key, secrets, dump = json.loads(child.stdout)
    assert api_key == OPENAI_KEY
    assert secrets == sorted(config.secret_values())
    assert dump == json.loads(json.dumps(config.model_dump()))  # the same settings, masked alike


def test_unpickling_where_a_variable_is_not_set_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    data = pickle.dumps(build_config({"model": "openai/m"}, {"OPENAI_API_KEY": OPENAI_KEY}))
    assert b"${OPENAI_API_KEY}" in data
    assert_no_secret(data)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-of-the-worker")
    assert pickle.loads(data).api_key.get_secret_value() == "sk-of-the-worker"
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(SpecError, match=r"^api_key: environment variable OPENAI_API_KEY is not set"):
        pickle.loads(data)


@pytest.mark.parametrize(
    ("settings", "setting"),
    [
        ({"api_key": OPENAI_KEY}, "api_key"),
        ({"extra_headers": {"X-Auth": HEADER_SECRET}}, "extra_headers.X-Auth"),
        (
            {"fallback_models": [{"model": "openai/b", "api_key": ANTHROPIC_KEY}]},
            "fallback_models[0].api_key",
        ),
        (
            {"embedding_model": {"model": "openai/e", "extra_headers": {"A": PLAIN_SECRET}}},
            "embedding_model.extra_headers.A",
        ),
        (
            {"embedding_fallback_models": [{"model": "openai/e", "api_key": PLAIN_SECRET}]},
            "embedding_fallback_models[0].api_key",
        ),
        (
            {"provider_options": {"aws_secret_access_key": PLAIN_SECRET}},
            "provider_options.aws_secret_access_key",
        ),
        ({"cost_meters": [{"name": "ledger", "password": PLAIN_SECRET}]}, "cost_meters[0].password"),
    ],
)
def test_a_config_holding_a_literal_secret_refuses_to_pickle(settings: dict[str, Any], setting: str) -> None:
    config = LiteLLMConfig(model="openai/m", **settings)
    with pytest.raises(SpecError) as caught:
        pickle.dumps(config)
    assert caught.value.field == setting
    assert str(caught.value).startswith(f"{setting}: a pickle never carries a secret")
    assert_no_secret(str(caught.value))


def test_a_secret_written_out_in_the_spec_or_changed_later_refuses_to_pickle() -> None:
    written = build_config({"model": "openai/m", "api_key": PLAIN_SECRET}, {"OPENAI_API_KEY": OPENAI_KEY})
    with pytest.raises(SpecError, match=r"^api_key: a pickle never carries a secret"):
        pickle.dumps(written)
    by_reference = build_config({"model": "openai/m", "api_key": "${K}"}, {"K": OPENAI_KEY})
    changed = by_reference.model_copy(update={"extra_headers": {"X-Auth": PLAIN_SECRET}})
    with pytest.raises(SpecError, match=r"^extra_headers\.X-Auth: a pickle never carries a secret"):
        pickle.dumps(changed)


def test_a_config_without_secrets_pickles_as_it_is() -> None:
    config = LiteLLMConfig(
        model="openai/m",
        fallback_models=["openai/b", {"model": "openai/c", "api_base": "http://127.0.0.1:1/v1"}],
        retry={"initial_wait": 0},
        model_info={"max_input_tokens": 1000},
        budget_usd=2.5,
        provider_options={"aws_region_name": "eu"},
    )
    assert pickle.loads(pickle.dumps(config)) == config


# Resolver --------------------------------------------------------------------------------------------


def test_a_resolver_pickles_as_its_config_and_works_in_a_worker(
    emu: ProviderEmulator, builtin_plugins: PluginManager
) -> None:
    emu.default_reply = Reply(text="from the worker")
    spec = DependencySpec(
        class_name="litellm",
        properties={"model": "openai/gpt-4o-mini", "api_base": emu.openai_base, "api_key": "${WORKER_KEY}"},
    )
    resolver = spec.to_resolver(builtin_plugins, env={"WORKER_KEY": OPENAI_KEY})
    assert isinstance(resolver, LiteLLMResolver)
    data = pickle.dumps(resolver)
    assert_no_secret(data)
    child = in_a_worker(
        "import pickle, sys\n"
        "resolver = pickle.loads(sys.stdin.buffer.read())\n"
        "print(type(resolver).__name__, resolver.get_or_resolve().complete('hi').text)",
        data,
        WORKER_KEY=OPENAI_KEY,
    )
    assert child.returncode == 0, child.stderr.decode()
    assert child.stdout.decode().split(maxsplit=1) == ["LiteLLMResolver", "from the worker\n"]
    assert emu.requests[-1].headers["authorization"] == f"Bearer {OPENAI_KEY}"


def test_a_resolver_with_a_literal_secret_refuses_to_pickle(builtin_plugins: PluginManager) -> None:
    resolver = LiteLLMResolver(plugins=builtin_plugins, env={}, model="openai/m", api_key=PLAIN_SECRET)
    with pytest.raises(SpecError, match=r"^api_key: a pickle never carries a secret") as caught:
        pickle.dumps(resolver)
    assert_no_secret(str(caught.value))


# LLM -------------------------------------------------------------------------------------------------


def test_an_llm_pickles_as_its_config_and_scope_and_works_in_a_worker(
    emu: ProviderEmulator, builtin_plugins: PluginManager
) -> None:
    emu.default_reply = Reply(text="llm in the worker")
    spec = DependencySpec(
        class_name="litellm",
        properties={"model": "openai/gpt-4o-mini", "api_base": emu.openai_base, "api_key": "${WORKER_KEY}"},
    )
    resolver = spec.to_resolver(builtin_plugins, env={"WORKER_KEY": OPENAI_KEY})
    llm = resolver.get_or_resolve(Scope("acme", "support")).charged_at(Scope("acme"))
    data = pickle.dumps(llm)
    assert_no_secret(data)
    child = in_a_worker(
        "import pickle, sys\n"
        "llm = pickle.loads(sys.stdin.buffer.read())\n"
        "print(llm.scope, llm.complete('hi').text)",
        data,
        WORKER_KEY=OPENAI_KEY,
    )
    assert child.returncode == 0, child.stderr.decode()
    assert child.stdout.decode() == "acme/support/* llm in the worker\n"
    assert emu.requests[-1].headers["authorization"] == f"Bearer {OPENAI_KEY}"


def test_an_llm_with_a_literal_secret_refuses_to_pickle(builtin_plugins: PluginManager) -> None:
    llm = LiteLLMResolver(
        plugins=builtin_plugins, env={}, model="openai/m", api_key=PLAIN_SECRET
    ).get_or_resolve()
    with pytest.raises(SpecError, match=r"^api_key: a pickle never carries a secret") as caught:
        pickle.dumps(llm)
    assert_no_secret(str(caught.value))
