"""Where settings come from, highest first: spec properties, then the environment, then a YAML file."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from llm_resolver.config.interpolation import interpolate
from llm_resolver.config.models import (
    MAPPING_TAG,
    NAME_TAG,
    FallbackModel,
    LiteLLMConfig,
    ModelInfoConfig,
    RetryConfig,
    split_fallbacks,
)
from llm_resolver.config.safe_load import load_yaml, read_config_text
from llm_resolver.errors import SpecError
from llm_resolver.metering.settings import BudgetConfig

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

# Provider prefix → the variables its key is read from, first found wins.
PROVIDER_KEY_VARS: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "mistral": ("MISTRAL_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "together_ai": ("TOGETHERAI_API_KEY", "TOGETHER_API_KEY"),
    "cohere": ("COHERE_API_KEY",),
    "xai": ("XAI_API_KEY",),
    "azure": ("AZURE_API_KEY",),
}


FROM_FILE = "config file"

# Nested settings and the model that lists their fields when one is unknown.
_NESTED: dict[str, type[BaseModel]] = {
    "fallback_models": FallbackModel,
    "retry": RetryConfig,
    "budget_usd": BudgetConfig,
    "model_info": ModelInfoConfig,
    "embedding_model": FallbackModel,
    "embedding_fallback_models": FallbackModel,
}


def provider_of(model: str) -> str | None:
    """The provider prefix of ``provider/model``; None for bare names (LiteLLM then infers it)."""
    return model.split("/", 1)[0] if "/" in model else None


def provider_key(model: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    """(variable, key) of the first set variable holding ``model``'s provider key."""
    for var in PROVIDER_KEY_VARS.get(provider_of(model) or "", ()):
        if env.get(var):
            return var, env[var]
    return None


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


def spec_error_from(
    exc: ValidationError,
    origin: Mapping[str, str] | None = None,
    schema: type[BaseModel] | None = LiteLLMConfig,
) -> SpecError:
    """One readable SpecError for all problems, each naming its field and source; never the bad value.

    ``schema`` is the model that was validated, for listing the known settings next to an unknown one.
    """
    lines = []
    first_field = None
    for err in exc.errors():
        parts = [p for p in err["loc"] if p not in (NAME_TAG, MAPPING_TAG)]
        loc = ".".join(str(p) for p in parts) or "properties"
        first_field = first_field or loc
        top = str(parts[0]) if parts else ""
        source = f" (set by {origin[top]})" if origin and top in origin else ""
        if err["type"] == "extra_forbidden":
            lines.append(f"{loc}: unknown setting{source}{_known(parts, schema)}")
        elif schema is LiteLLMConfig and top == "fallback_models" and len(parts) == 2:
            fields = ", ".join(FallbackModel.model_fields)
            lines.append(f"{loc}: {err['msg']}{source}; a fallback is a model name or a mapping of {fields}")
        else:
            lines.append(f"{loc}: {err['msg']}{source}")
    return SpecError("; ".join(lines), field=first_field)


def _known(parts: list[int | str], schema: type[BaseModel] | None) -> str:
    if schema is None:
        return "; remove it"
    owner = _NESTED.get(str(parts[0]), schema) if schema is LiteLLMConfig and len(parts) > 1 else schema
    fields = sorted(owner.model_fields)
    close = difflib.get_close_matches(str(parts[-1]), fields, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"; {hint}known settings: {', '.join(fields)}"
