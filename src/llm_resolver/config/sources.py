"""Where settings come from, highest first: spec properties, then the environment, then a YAML file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from llm_resolver.config.interpolation import interpolate
from llm_resolver.config.models import LiteLLMConfig, split_fallbacks
from llm_resolver.config.providers import provider_key, provider_of
from llm_resolver.config.safe_load import load_yaml, read_config_text
from llm_resolver.config.spec_errors import spec_error_from
from llm_resolver.errors import SpecError

CONFIG_FILE_VAR = "LLM_RESOLVER_CONFIG"

# Environment variable → config field.
ENV_FIELDS: dict[str, str] = {
    "LLM_MODEL": "model",
    "LLM_FALLBACK_MODELS": "fallback_models",
    "LLM_TIMEOUT": "timeout",
    "LLM_MAX_RETRIES": "max_retries",
    "LLM_API_BASE": "api_base",
    "LLM_DEADLINE": "deadline",
}

FROM_FILE = "config file"


def load_config_file(
    env: Mapping[str, str], references: dict[str, str] | None = None
) -> tuple[dict[str, Any], str | None]:
    """The settings in the ``LLM_RESOLVER_CONFIG`` file, interpolated; ``references`` collects where
    each value read from a whole ``${VAR}`` came from."""
    path = env.get(CONFIG_FILE_VAR)
    if not path:
        return {}, None
    where = f"{CONFIG_FILE_VAR}={path!r}"
    try:
        data = load_yaml(read_config_text(path, where), where)
    except SpecError as exc:  # a limit or the syntax: name the variable that chose the file
        raise SpecError(exc.message, field=CONFIG_FILE_VAR) from None
    except OSError as exc:
        raise SpecError(
            f"{where} cannot be read ({exc.strerror or type(exc).__name__}); fix the path or unset "
            f"{CONFIG_FILE_VAR}",
            field=CONFIG_FILE_VAR,
        ) from None
    except UnicodeDecodeError:
        raise SpecError(f"{where} is not UTF-8 text; save it as UTF-8 YAML", field=CONFIG_FILE_VAR) from None
    if data is None:
        return {}, path
    if not isinstance(data, dict):
        raise SpecError(
            f"{where} must hold a mapping of settings such as 'model: openai/gpt-4o-mini', "
            f"not a {type(data).__name__}",
            field=CONFIG_FILE_VAR,
        )
    try:
        return interpolate(data, env, references=references), path
    except SpecError as exc:
        raise SpecError(f"{where}: {exc.message}", field=exc.field) from None


def build_config(properties: Mapping[str, Any], env: Mapping[str, str] | None = None) -> LiteLLMConfig:
    """Merge the three sources, filling in ``${VAR}``, and validate; a ``SpecError`` names the field and
    where it came from. The config remembers the variable each secret was read from, to pickle by it."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    references: dict[str, str] = {}
    file_values, file_path = load_config_file(env, references)
    for key, value in file_values.items():
        merged[str(key)], origin[str(key)] = value, f"{FROM_FILE} {file_path}"
    for var, key in ENV_FIELDS.items():
        if env.get(var):
            merged[key], origin[key] = env[var], f"environment variable {var}"
    spec_values: dict[str, Any] = interpolate(properties, env, references=references)
    for key, value in spec_values.items():
        merged[key], origin[key] = value, "spec properties"
    if "model" not in merged:
        raise SpecError(
            "model: required; set it in the spec properties, LLM_MODEL, or the LLM_RESOLVER_CONFIG file",
            field="model",
        )
    _fill_provider_keys(merged, origin, env, references)
    try:
        config = LiteLLMConfig.model_validate(merged)
    except ValidationError as exc:
        raise spec_error_from(exc, origin) from None
    config.remember_references(references)
    return config


def _fill_provider_keys(
    merged: dict[str, Any], origin: dict[str, str], env: Mapping[str, str], references: dict[str, str]
) -> None:
    """A provider's key variable gives ``api_key`` to the primary (over a key from the config file, as
    the environment outranks the file) and to each fallback of another provider that names no key of
    its own (one of the primary's provider shares the primary's key)."""
    primary = merged["model"]
    if not isinstance(primary, str):
        return

    def provider_key_of(model: str) -> tuple[str, str] | None:
        found = provider_key(model, env)
        if found:
            references[found[1]] = f"${{{found[0]}}}"
        return found

    found = provider_key_of(primary)
    if found and ("api_key" not in merged or origin["api_key"].startswith(FROM_FILE)):
        merged["api_key"], origin["api_key"] = found[1], f"environment variable {found[0]}"
    fallbacks = split_fallbacks(merged.get("fallback_models"))
    if not isinstance(fallbacks, list):
        return
    filled: list[Any] = []
    for entry in fallbacks:
        if isinstance(entry, str) and provider_of(entry) != provider_of(primary):
            found = provider_key_of(entry)
            entry = {"model": entry, "api_key": found[1]} if found else entry
        elif isinstance(entry, Mapping) and "api_key" not in entry and isinstance(entry.get("model"), str):
            found = provider_key_of(entry["model"])
            entry = {**entry, "api_key": found[1]} if found else entry
        filled.append(entry)
    merged["fallback_models"] = filled
