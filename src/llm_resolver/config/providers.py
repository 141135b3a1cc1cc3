"""Which provider a model belongs to, and the environment variables its API key is read from."""

from __future__ import annotations

from collections.abc import Mapping

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


def provider_key(model: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    """(variable, key) of the first set variable holding ``model``'s provider key."""
    for var in PROVIDER_KEY_VARS.get(provider_of(model) or "", ()):
        if env.get(var):
            return var, env[var]
    return None
