"""Targets: the concrete endpoints a call may go to (the primary model, then each fallback)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pydantic import SecretStr

from llm_resolver.config.models import FallbackModel, LiteLLMConfig
from llm_resolver.config.providers import provider_of


@dataclass(frozen=True)
class Target:
    model: str
    api_key: SecretStr | None = field(default=None, repr=False)
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    timeout: float = 60.0
    max_retries: int = 2
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    extra_headers: dict[str, SecretStr] = field(default_factory=dict, repr=False)
    # Known when the LLM is resolved, so no call looks them up again.
    context_window: int | None = None
    # Every secret of the config, scrubbed from what the provider says about a call to this target.
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)
    # A hash of the key and headers, never the secrets: cool-downs key on it once per target, not per call.
    fingerprint: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256()
        headers = self.extra_headers
        for part in [self.api_key, *(headers[name] for name in sorted(headers))]:
            digest.update(b"\0" + (part.get_secret_value().encode() if part is not None else b""))
        object.__setattr__(self, "fingerprint", digest.hexdigest()[:16])


def targets_for(config: LiteLLMConfig) -> list[Target]:
    """Primary first. A string fallback of the primary's provider shares its endpoint, key and headers;
    one of another provider gets none of them (LiteLLM's own fallbacks wrongly inherit the primary's)."""
    secrets = tuple(config.secret_values())
    primary = Target(
        model=config.model,
        api_key=config.api_key,
        api_base=config.api_base,
        api_version=config.api_version,
        organization=config.organization,
        timeout=config.timeout,
        max_retries=config.max_retries,
        input_cost_per_token=config.input_cost_per_token,
        output_cost_per_token=config.output_cost_per_token,
        extra_headers=config.extra_headers,
        secrets=secrets,
    )
    out = [primary]
    for fb in config.fallback_models:
        if isinstance(fb, str):
            same = provider_of(fb) == provider_of(config.model)
            out.append(
                Target(
                    model=fb,
                    api_key=primary.api_key if same else None,
                    api_base=primary.api_base if same else None,
                    api_version=primary.api_version if same else None,
                    organization=primary.organization if same else None,
                    extra_headers=primary.extra_headers if same else {},
                    timeout=config.timeout,
                    max_retries=config.max_retries,
                    secrets=secrets,
                )
            )
        else:
            out.append(_from_fallback(fb, config, secrets))
    return out


def _from_fallback(fb: FallbackModel, config: LiteLLMConfig, secrets: tuple[str, ...]) -> Target:
    return Target(
        model=fb.model,
        api_key=fb.api_key,
        api_base=fb.api_base,
        api_version=fb.api_version,
        organization=fb.organization,
        timeout=fb.timeout or config.timeout,
        max_retries=config.max_retries if fb.max_retries is None else fb.max_retries,
        input_cost_per_token=fb.input_cost_per_token,
        output_cost_per_token=fb.output_cost_per_token,
        extra_headers=fb.extra_headers,
        secrets=secrets,
    )
