"""Before any request: can LiteLLM route each model, and will a key reach it?

Both are configuration faults that LiteLLM reports only at the first call, and badly: a name it cannot
place (``nonsense``, ``foo/bar``) ends as a bad-request error after a printed "Provider List" banner, a
missing key as an authentication error although nothing was sent. Here they are a ``SpecError`` when
the LLM is resolved. A ``provider/`` prefix of ``PROVIDER_KEY_VARS`` is known without importing
LiteLLM; any other name is looked up in LiteLLM's own tables, which are local (no network).
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence

from llm_resolver.backend.loader import litellm
from llm_resolver.backend.targets import Target
from llm_resolver.catalog.bundled import known_providers
from llm_resolver.config.providers import PROVIDER_KEY_VARS, provider_of
from llm_resolver.errors import SpecError

# LiteLLM's clients for these send nothing without a key, whatever the api_base (a server that takes
# none still needs a placeholder); the others send without one to an api_base.
KEY_EVEN_WITH_API_BASE = frozenset({"openai", "anthropic", "gemini"})
# Credentials LiteLLM takes instead of the key variable.
OTHER_CREDENTIAL_VARS: dict[str, tuple[str, ...]] = {
    "anthropic": ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_FEDERATION_RULE_ID"),
    "together_ai": ("TOGETHER_AI_API_KEY", "TOGETHER_AI_TOKEN"),
}
# Azure also signs in with AD tokens and managed identities, which no variable shows.
_KEY_NOT_CHECKED = frozenset({"azure"})
_BANNER = "\n\033[1;31mProvider List: https://docs.litellm.ai/docs/providers\033[0m\n\n"


def check_targets(
    targets: Sequence[Target], first: str, rest: str, env: Mapping[str, str] | None = None
) -> None:
    """A ``SpecError`` (field ``first`` for the first target, ``rest`` for the others) for a model
    LiteLLM cannot route or a target no key reaches; ``env`` is what LiteLLM reads keys from."""
    env = os.environ if env is None else env
    for n, target in enumerate(targets):
        field = first if n == 0 else rest
        _check_key(target, provider_for(target.model, target.api_base, field), field, env)


def provider_for(model: str, api_base: str | None, field: str) -> str:
    """The LiteLLM provider ``model`` goes to (a bare name as LiteLLM infers it, from its model lists or
    a known ``api_base``)."""
    prefix = provider_of(model)
    if prefix in PROVIDER_KEY_VARS:
        return prefix
    known = known_providers()
    if prefix in known:
        return prefix
    try:
        with _without_banner():
            provider: str = litellm().get_llm_provider(model=model, api_base=api_base)[1]
    except Exception:  # LiteLLM raises BadRequestError for a name it cannot place
        close = difflib.get_close_matches(prefix, known, n=1) if prefix else []
        hint = f"did you mean {close[0] + '/' + model.split('/', 1)[1]!r}? " if close else ""
        raise SpecError(
            f"{field}: LiteLLM knows no provider for {model!r}; {hint}write it as provider/model, e.g. "
            "openai/gpt-4o-mini (for an OpenAI-compatible server: openai/<its model name> with api_base). "
            f"Known providers: {', '.join(known)}",
            field=field,
        ) from None
    return provider


def _check_key(target: Target, provider: str, field: str, env: Mapping[str, str]) -> None:
    names = PROVIDER_KEY_VARS.get(provider)
    if not names or provider in _KEY_NOT_CHECKED or target.api_key is not None:
        return
    if target.api_base is not None and provider not in KEY_EVEN_WITH_API_BASE:
        return  # the endpoint decides: a local server or a gateway may take no key
    if any(env.get(var) for var in (*names, *OTHER_CREDENTIAL_VARS.get(provider, ()))):
        return
    where = " or ".join(names)
    if target.api_base is None:
        advice = f"set {where} in the environment, or api_key in the spec"
    else:
        advice = (
            f"LiteLLM's {provider} client sends nothing without one, even to an api_base: set api_key "
            f"(any placeholder if the server takes none) or {where}"
        )
    raise SpecError(f"{field}: no API key for {target.model!r}; {advice}. Nothing was sent.", field=field)


@contextlib.contextmanager
def _without_banner() -> Iterator[None]:
    """LiteLLM prints its "Provider List" banner for a name it cannot place; silencing it takes a
    LiteLLM global we must not touch, so stdout is held for the look-up and written back without it."""
    held = io.StringIO()
    try:
        with contextlib.redirect_stdout(held):
            yield
    finally:
        sys.stdout.write(held.getvalue().replace(_BANNER, ""))
