"""LiteLLMConfig: every setting of the built-in resolver, validated; unknown fields are errors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

from llm_resolver.redaction import MASK


class RetryConfig(BaseModel):
    """How we retry; LiteLLM's and the provider SDK's own retries are always off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    initial_wait: float = Field(0.5, ge=0, description="first backoff, doubled each retry, with jitter")
    max_wait: float = Field(8.0, ge=0, description="cap on one backoff")
    retry_after_cap: float = Field(30.0, ge=0, description="longest Retry-After we honour before moving on")
    jitter: float = Field(0.25, ge=0, le=1, description="fraction of each wait randomised")
    cooldown_after: int = Field(3, ge=1, description="consecutive failures before a model is cooled down")
    cooldown_s: float = Field(30.0, ge=0, description="how long a cooled-down model is skipped")
    fallback_on_content_policy: bool = False


class FallbackModel(BaseModel):
    """A fallback with its own endpoint; a plain string fallback of the primary's provider shares its endpoint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    api_key: SecretStr | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    timeout: float | None = Field(None, gt=0)
    max_retries: int | None = Field(None, ge=0, le=20)
    input_cost_per_token: float | None = Field(None, ge=0)
    output_cost_per_token: float | None = Field(None, ge=0)

    @field_serializer("api_key")
    def _mask_key(self, value: SecretStr | None) -> str | None:
        return MASK if value is not None else None


class LiteLLMConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    api_key: SecretStr | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    timeout: float = Field(60.0, gt=0, description="seconds per attempt")
    deadline: float | None = Field(
        None, gt=0, description="seconds for the whole call, retries and fallbacks"
    )
    max_retries: int = Field(2, ge=0, le=20, description="retries per model after the first attempt")
    fallback_models: list[str | FallbackModel] = Field(default_factory=list)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, ge=0, le=1)
    max_tokens: int | None = Field(None, gt=0)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    extra_headers: dict[str, SecretStr] = Field(default_factory=dict)
    tools: list[str] = Field(default_factory=list)
    cost_meters: list[str] = Field(default_factory=list)
    budget_usd: float | None = Field(None, ge=0)
    cache: bool | str | dict[str, Any] | None = None
    provider_options: dict[str, Any] = Field(default_factory=dict)
    retry: RetryConfig = Field(default_factory=RetryConfig)
    input_cost_per_token: float | None = Field(
        None, ge=0, description="price for models LiteLLM cannot price"
    )
    output_cost_per_token: float | None = Field(None, ge=0)

    @field_validator("fallback_models", mode="before")
    @classmethod
    def _split_fallbacks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("api_base")
    @classmethod
    def _check_base(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_serializer("api_key")
    def _mask_key(self, value: SecretStr | None) -> str | None:
        return MASK if value is not None else None

    @field_serializer("extra_headers")
    def _mask_headers(self, value: dict[str, SecretStr]) -> dict[str, str]:
        return {k: MASK for k in value}

    def secret_values(self) -> list[str]:
        """Every secret this config holds, for scrubbing text we did not write ourselves."""
        found = [self.api_key.get_secret_value()] if self.api_key else []
        found += [h.get_secret_value() for h in self.extra_headers.values()]
        found += [
            f.api_key.get_secret_value()
            for f in self.fallback_models
            if isinstance(f, FallbackModel) and f.api_key
        ]
        return found
