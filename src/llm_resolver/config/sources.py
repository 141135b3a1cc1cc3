"""Where settings come from, highest first: spec properties, then the environment, then a YAML file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from llm_resolver.config.interpolation import interpolate
from llm_resolver.config.models import LiteLLMConfig
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


def provider_of(model: str) -> str | None:
    """The provider prefix of ``provider/model``; None for bare names (LiteLLM then infers it)."""
    return model.split("/", 1)[0] if "/" in model else None


def provider_key(model: str, env: Mapping[str, str]) -> str | None:
    for var in PROVIDER_KEY_VARS.get(provider_of(model) or "", ()):
        if env.get(var):
            return env[var]
    return None


def load_config_file(env: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
    path = env.get(CONFIG_FILE_VAR)
    if not path:
        return {}, None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{CONFIG_FILE_VAR}={path!r} cannot be read ({exc.strerror}); fix the path") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{CONFIG_FILE_VAR}={path!r} is not valid YAML: {exc}") from None
    if data is None:
        return {}, path
    if not isinstance(data, dict):
        raise SpecError(
            f"{CONFIG_FILE_VAR}={path!r} must hold a mapping of settings, not {type(data).__name__}"
        )
    return interpolate(data, env), path


def build_config(properties: Mapping[str, Any], env: Mapping[str, str] | None = None) -> LiteLLMConfig:
    """Merge the three sources and validate; a ``SpecError`` names the field and where it came from."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    file_values, file_path = load_config_file(env)
    for key, value in file_values.items():
        merged[key], origin[key] = value, f"config file {file_path}"
    for var, key in ENV_FIELDS.items():
        if env.get(var):
            merged[key], origin[key] = env[var], f"environment variable {var}"
    for key, value in properties.items():
        merged[key], origin[key] = value, "spec property"
    if "api_key" not in merged and "model" in merged:
        env_key = provider_key(str(merged["model"]), env)
        if env_key:
            merged["api_key"], origin["api_key"] = env_key, "provider key in the environment"
    if "model" not in merged:
        raise SpecError(
            "model: required; set it in the spec properties, LLM_MODEL, or the LLM_RESOLVER_CONFIG file",
            field="model",
        )
    try:
        return LiteLLMConfig.model_validate(merged)
    except ValidationError as exc:
        raise spec_error_from(exc, origin) from None


def spec_error_from(exc: ValidationError, origin: Mapping[str, str] | None = None) -> SpecError:
    """One readable SpecError for all problems, each naming its field (and source); never the bad value."""
    lines = []
    first_field = None
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        first_field = first_field or loc
        top = str(err["loc"][0]) if err["loc"] else ""
        source = f" (from {origin[top]})" if origin and top in origin else ""
        if err["type"] == "extra_forbidden":
            known = ", ".join(sorted(LiteLLMConfig.model_fields))
            lines.append(f"{loc}: unknown setting{source}; known settings: {known}")
        else:
            lines.append(f"{loc}: {err['msg']}{source}")
    return SpecError("; ".join(lines), field=first_field)
