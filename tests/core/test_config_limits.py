"""Hostile config text and mappings are refused early with a SpecError naming the source and the limit:
alias bombs, deep nesting, oversize files. Normal configs with a few anchors still load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import DependencySpec, LiteLLMResolver, SpecError
from llm_resolver.cli.spec_file import load_spec
from llm_resolver.config.interpolation import interpolate
from llm_resolver.host.dependencies import Dependencies
from llm_resolver.plugins.manager import PluginManager

CONFIG_HEAD = "model: openai/gpt-4o-mini\nprovider_options:\n"
DEPENDENCIES_HEAD = (
    "llm:\n  class_name: litellm\n  properties:\n    model: openai/gpt-4o-mini\n    provider_options:\n"
)


def laughs(size: int, head: str, indent: str) -> str:
    """A "billion laughs" document of exactly ``size`` bytes: as many levels of eight aliases to the
    level below as fit after ``head``, padded with a comment."""

    def levels(n: int) -> str:
        lines = [f"{indent}l0: &l0 [" + ",".join(['"lol"'] * 8) + "]"]
        lines += [f"{indent}l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 8) + "]" for i in range(1, n)]
        return head + "\n".join(lines) + "\n"

    n = 1
    while len(levels(n + 1)) + 3 <= size:
        n += 1
    text = levels(n)
    return text + "#" + "x" * (size - len(text) - 2) + "\n"


def deep_yaml(depth: int) -> str:
    return CONFIG_HEAD + "  x: " + "[" * depth + "]" * depth + "\n"


def deep_dict(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        node["k"] = {}
        node = node["k"]
    return root


def config_file(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "llm.yaml"
    path.write_text(text, encoding="utf-8")
    return {"LLM_RESOLVER_CONFIG": str(path)}


def refused_config(tmp_path: Path, text: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        LiteLLMResolver(env=config_file(tmp_path, text))
    assert caught.value.field == "LLM_RESOLVER_CONFIG"
    assert "LLM_RESOLVER_CONFIG=" in str(caught.value)  # names the source
    return caught.value


@pytest.mark.parametrize("size", [393, 600])
def test_alias_bomb_in_the_config_file_is_refused(tmp_path: Path, size: int) -> None:
    text = laughs(size, CONFIG_HEAD, "  ")
    assert len(text.encode()) == size
    err = refused_config(tmp_path, text)
    assert "more than 10000 values once aliases and shared values are expanded" in str(err)


@pytest.mark.parametrize("size", [393, 600])
def test_alias_bomb_in_dependencies_yaml_is_refused(size: int, builtin_plugins: PluginManager) -> None:
    text = laughs(size, DEPENDENCIES_HEAD, "      ")
    assert len(text.encode()) == size
    with pytest.raises(SpecError, match=r"^dependencies holds more than 10000 values once aliases"):
        Dependencies.from_yaml(text, plugins=builtin_plugins, env={}).get("llm")


def test_too_many_aliases_are_refused_even_when_small(tmp_path: Path) -> None:
    text = CONFIG_HEAD + "  a: &a 1\n  b: [" + ", ".join(["*a"] * 101) + "]\n"
    err = refused_config(tmp_path, text)
    assert "uses more than 100 aliases (*name, at line 4)" in str(err)


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    err = refused_config(tmp_path, CONFIG_HEAD + "  loop: &a [1, *a]\n")
    assert "uses alias *a inside its own anchor (line 3)" in str(err)


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_yaml_in_the_config_file_is_refused(tmp_path: Path, depth: int) -> None:
    err = refused_config(tmp_path, deep_yaml(depth))
    assert "is nested deeper than 64 levels (line 3)" in str(err)


def test_deep_block_yaml_in_dependencies_is_refused() -> None:
    text = DEPENDENCIES_HEAD + "".join(f"{'  ' * (i + 3)}k{i}:\n" for i in range(70)) + "  " * 73 + "x\n"
    with pytest.raises(SpecError, match=r"^dependencies is nested deeper than 64 levels \(line 67\)"):
        Dependencies.from_yaml(text)


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_json_is_refused(depth: int) -> None:
    inner = '{"k": ' * depth + "1" + "}" * depth
    text = '{"llm": {"class_name": "litellm", "properties": {"provider_options": ' + inner + "}}}"
    with pytest.raises(SpecError, match=r"^dependencies is nested deeper than 64 levels"):
        Dependencies.from_json(text)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_deep_spec_file_on_the_command_line_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"spec{suffix}"
    path.write_text(json.dumps({"class_name": "litellm", "properties": deep_dict(100)}), encoding="utf-8")
    with pytest.raises(SpecError, match=rf"^--spec {path} is nested deeper than 64 levels"):
        load_spec(str(path), "llm")


def test_deep_properties_handed_in_directly_are_refused(builtin_plugins: PluginManager) -> None:
    deep = {"model": "openai/m", "provider_options": deep_dict(100_000)}
    with pytest.raises(SpecError, match=r"^properties is nested deeper than 64 levels"):
        DependencySpec(class_name="litellm", properties=deep)
    with pytest.raises(SpecError, match=r"^dependencies is nested deeper than 64 levels"):
        Dependencies.from_dict({"llm": {"class_name": "litellm", "properties": deep}})
    with pytest.raises(SpecError, match="nested deeper than 64 levels"):
        LiteLLMResolver(plugins=builtin_plugins, env={}, **deep)
    with pytest.raises(SpecError, match="nested deeper than 64 levels"):
        interpolate(deep, {})


def test_shared_and_self_holding_mappings_handed_in_are_refused() -> None:
    shared: list[Any] = ["lol"] * 8
    for _ in range(8):
        shared = [shared] * 8
    with pytest.raises(SpecError, match="more than 10000 values once aliases and shared values"):
        DependencySpec(class_name="litellm", properties={"model": "m", "provider_options": {"x": shared}})
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(SpecError, match=r"holds itself \(a recursive alias or reference\)"):
        interpolate({"provider_options": loop}, {})


def test_an_oversize_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    text = CONFIG_HEAD + "  note: " + "x" * (2 * 1024 * 1024) + "\n"
    err = refused_config(tmp_path, text)
    assert "is larger than 1024 KiB, the limit for a config" in str(err)
    path = tmp_path / "deps.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=r"^dependencies file '.*deps\.yaml' is larger than 1024 KiB"):
        Dependencies.from_yaml(path)
    with pytest.raises(SpecError, match=r"^dependencies is larger than 1024 KiB"):
        Dependencies.from_json(json.dumps({"llm": {"note": "x" * (2 * 1024 * 1024)}}))


def test_a_config_with_a_few_anchors_still_loads(tmp_path: Path, builtin_plugins: PluginManager) -> None:
    text = (
        "model: openai/gpt-4o-mini\n"
        "extra_headers: &h {X-Tenant: acme}\n"
        "fallback_models:\n"
        "  - &fb {model: openai/gpt-4o, extra_headers: *h, timeout: 9}\n"
        "  - {<<: *fb, model: openai/gpt-4.1}\n"
    )
    config = LiteLLMResolver(plugins=builtin_plugins, env=config_file(tmp_path, text)).config
    assert config.extra_headers["X-Tenant"].get_secret_value() == "acme"
    fallbacks = [(f.model, f.timeout) for f in config.fallback_models if not isinstance(f, str)]
    assert fallbacks == [("openai/gpt-4o", 9), ("openai/gpt-4.1", 9)]


def test_dependencies_sharing_properties_through_an_alias_still_load(builtin_plugins: PluginManager) -> None:
    text = (
        "fast:\n"
        "  class_name: litellm\n"
        "  properties: &common {model: openai/gpt-4o-mini, api_key: '${KEY}', timeout: 30}\n"
        "slow:\n"
        "  class_name: litellm\n"
        "  properties: {<<: *common, timeout: 120}\n"
    )
    deps = Dependencies.from_yaml(text, plugins=builtin_plugins, env={"KEY": "k"})
    configs = [deps.resolver(name).config for name in ("fast", "slow")]  # type: ignore[attr-defined]
    assert [(c.timeout, c.api_key.get_secret_value()) for c in configs] == [(30, "k"), (120, "k")]


def test_without_libyaml_the_same_limits_hold() -> None:
    """PyYAML built without libyaml composes with the pure-Python parser: same results, same refusals."""
    code = f"""
import yaml
del yaml.CSafeLoader  # as if PyYAML had been built without libyaml
from llm_resolver import SpecError
from llm_resolver.config.safe_load import load_yaml
assert load_yaml("a: &x {{b: 1}}\\nc: [*x, [2]]\\n", "t") == {{"a": {{"b": 1}}, "c": [{{"b": 1}}, [2]]}}
for text, problem in [({laughs(600, CONFIG_HEAD, "  ")!r}, "values"), ("[" * 100_000, "deeper")]:
    try:
        load_yaml(text, "t")
    except SpecError as exc:
        assert problem in str(exc), exc
    else:
        raise AssertionError("not refused")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
