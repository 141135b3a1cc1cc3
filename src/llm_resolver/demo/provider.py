"""Where the demo's answers come from: a real provider when one is configured, else the emulator."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from llm_resolver.config.providers import provider_key
from llm_resolver.testing import Fault, ProviderEmulator

PRIMARY = "openai/gpt-4o-mini"
FALLBACK = "openai/gpt-4o"


def real_provider_configured(env: Mapping[str, str]) -> bool:
    """``LLM_MODEL`` plus that provider's key (e.g. ``OPENAI_API_KEY``) means: use the real thing."""
    model = env.get("LLM_MODEL", "")
    return bool(model) and provider_key(model, env) is not None


@contextlib.contextmanager
def emulated_provider(env: Mapping[str, str]) -> Iterator[tuple[ProviderEmulator, dict[str, str]]]:
    """Start the emulator and yield it with the environment that points the guild's spec at it.

    The spec reads its settings from the environment, as in production, so the emulator is set up
    the way a user sets up a real provider. Its primary model is scripted to answer 503 twice: one
    retry, then the fallback answers.
    """
    with ProviderEmulator() as emulator:
        wire_model = PRIMARY.split("/", 1)[1]
        emulator.script(Fault.unavailable(), Fault.unavailable(), model=wire_model)
        settings = {
            "LLM_MODEL": PRIMARY,
            "LLM_FALLBACK_MODELS": FALLBACK,
            "LLM_MAX_RETRIES": "1",
            "LLM_API_BASE": emulator.openai_base,
            "OPENAI_API_KEY": "emulator-key",
        }
        yield emulator, {**env, **settings}
