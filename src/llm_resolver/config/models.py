"""LiteLLMConfig: every setting of the built-in resolver, validated; unknown fields are errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    SecretStr,
    Tag,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from llm_resolver.config.cache import check_cache_setting
from llm_resolver.config.metering import BudgetConfig, check_meter_entry
from llm_resolver.config.pickling import by_reference, restore_config
from llm_resolver.redaction import MASK, find_secrets, mask_secrets, mask_url_credentials, url_credentials
from llm_resolver.types.limits import MaxTokens, NonNegative, Penalty, Seconds, Temperature, TopP
from llm_resolver.types.options import ConfigProviderOptions, check_provider_options
from llm_resolver.vision.settings import VisionConfig


def check_api_base(value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


class RetryConfig(BaseModel):
    """How we retry; LiteLLM's and the provider SDK's own retries are always off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    initial_wait: NonNegative = Field(0.5, description="first backoff, doubled each retry, with jitter")
    max_wait: NonNegative = Field(8.0, description="cap on one backoff")
    retry_after_cap: NonNegative = Field(30.0, description="longest Retry-After we honour before moving on")
    jitter: NonNegative = Field(0.25, le=1, description="fraction of each wait randomised")
    cooldown_after: int = Field(3, ge=1, description="consecutive failures before a model is cooled down")
    cooldown_s: NonNegative = Field(
        30.0, description="how long a cooled-down endpoint is skipped; 0 turns cool-downs off for this LLM"
    )
    cooldown_pool: str | None = Field(
        None,
        min_length=1,
        description="share cool-downs with every resolver naming this pool (default: this resolver's own)",
    )
    fallback_on_content_policy: bool = False


class _Endpoint(BaseModel):
    """Rules for the settings that reach a provider (the primary's and each fallback's): an http(s)
    base URL, and the key, header values and the base URL's credentials masked in every repr and dump."""

    @field_validator("api_base", check_fields=False)
    @classmethod
    def _check_base(cls, value: str | None) -> str | None:
        return check_api_base(value)

    @field_serializer("api_key", check_fields=False)
    def _mask_key(self, value: SecretStr | None) -> str | None:
        return MASK if value is not None else None

    @field_serializer("extra_headers", check_fields=False)
    def _mask_headers(self, value: dict[str, SecretStr]) -> dict[str, str]:
        return {k: MASK for k in value}

    @field_serializer("api_base", check_fields=False)
    def _mask_base(self, value: str | None) -> str | None:
        return mask_url_credentials(value) if value else value

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, self._mask_base(value) if name == "api_base" else value

    def endpoint_secrets(self) -> list[str]:
        key: SecretStr | None = getattr(self, "api_key", None)
        headers: dict[str, SecretStr] = getattr(self, "extra_headers", {})
        found = ([key.get_secret_value()] if key else []) + [h.get_secret_value() for h in headers.values()]
        return found + url_credentials(getattr(self, "api_base", None))


class FallbackModel(_Endpoint):
    """A fallback with its own endpoint; a plain string fallback of the primary's provider shares its endpoint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    api_key: SecretStr | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    timeout: Seconds | None = None
    max_retries: int | None = Field(None, ge=0, le=20)
    input_cost_per_token: NonNegative | None = None
    output_cost_per_token: NonNegative | None = None
    extra_headers: dict[str, SecretStr] = Field(default_factory=dict)


def split_fallbacks(value: Any) -> Any:
    """``"a, b"`` (as ``LLM_FALLBACK_MODELS`` holds it) → ``["a", "b"]``; anything else as it is."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


# Union tags: a mapping is only ever validated as a FallbackModel, so its errors name its own fields.
NAME_TAG = "(name)"
MAPPING_TAG = "(mapping)"


def _fallback_kind(value: Any) -> str:
    return MAPPING_TAG if isinstance(value, dict | FallbackModel) else NAME_TAG


FallbackEntry = Annotated[
    Annotated[str, Tag(NAME_TAG)] | Annotated[FallbackModel, Tag(MAPPING_TAG)],
    Discriminator(_fallback_kind),
]

# Free-form settings whose secret-named entries are masked in reprs and dumps.
_FREE_FORM = ("provider_options", "cache", "cost_meters")

# budget_usd: a number, or a mapping with the limit and reservation settings (docs/costs.md).
BudgetEntry = Annotated[
    Annotated[NonNegative, Tag(NAME_TAG)] | Annotated[BudgetConfig, Tag(MAPPING_TAG)],
    Discriminator(lambda v: MAPPING_TAG if isinstance(v, dict | BudgetConfig) else NAME_TAG),
]
MeterEntry = Annotated[str | dict[str, Any], BeforeValidator(check_meter_entry)]
CacheSetting = Annotated[bool | str | dict[str, Any] | None, BeforeValidator(check_cache_setting)]


class ModelInfoConfig(BaseModel):
    """What LiteLLM's bundled map does not know (or gets wrong) about a model, e.g. a self-hosted one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_input_tokens: int | None = Field(None, gt=0)
    max_output_tokens: int | None = Field(None, gt=0)
    input_cost_per_token: NonNegative | None = None
    output_cost_per_token: NonNegative | None = None
    supports_vision: bool | None = None
    supports_tools: bool | None = None
    supports_response_schema: bool | None = None


class LiteLLMConfig(_Endpoint):
    """Every setting of the built-in resolver; secrets never show in a repr or a dump."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    model: str = Field(min_length=1)
    api_key: SecretStr | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    timeout: Seconds = Field(60.0, description="seconds per attempt")
    deadline: Seconds | None = Field(None, description="seconds for the whole call, retries and fallbacks")
    max_retries: int = Field(2, ge=0, le=20, description="retries per model after the first attempt")
    fallback_models: list[FallbackEntry] = Field(default_factory=list)
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_tokens: MaxTokens | None = None
    frequency_penalty: Penalty | None = None
    presence_penalty: Penalty | None = None
    extra_headers: dict[str, SecretStr] = Field(default_factory=dict)
    tools: list[str] = Field(default_factory=list)
    cost_meters: list[MeterEntry] = Field(default_factory=list)
    budget_usd: BudgetEntry | None = None
    cache: CacheSetting = None
    provider_options: Annotated[
        dict[str, Any], BeforeValidator(lambda v: check_provider_options(v, ConfigProviderOptions))
    ] = Field(default_factory=dict, description="provider parameters sent with every chat request")
    retry: RetryConfig = Field(default_factory=RetryConfig)
    input_cost_per_token: NonNegative | None = Field(
        None, description="price for models LiteLLM cannot price"
    )
    output_cost_per_token: NonNegative | None = None
    model_info: dict[str, ModelInfoConfig] = Field(
        default_factory=dict, description="model -> limits, prices, capabilities; bare fields mean `model`"
    )
    embedding_model: FallbackEntry | None = Field(
        None, description="a model name, or a mapping with its own api_base/api_key like a fallback"
    )
    embedding_fallback_models: list[FallbackEntry] = Field(default_factory=list)
    embedding_batch_size: int | None = Field(
        None, ge=1, le=2048, description="inputs per request; None: the provider's limit, at most 256"
    )
    embedding_batch_tokens: int = Field(100_000, ge=1, description="token cap of one embedding request")
    embedding_concurrency: int = Field(4, ge=1, le=64, description="embedding requests in flight at once")
    structured_retries: int = Field(2, ge=0, le=10, description="re-asks after an invalid structured reply")
    vision: VisionConfig = Field(default_factory=VisionConfig, description="hosts remote image URLs may name")

    @field_validator("fallback_models", "embedding_fallback_models", mode="before")
    @classmethod
    def _split_fallbacks(cls, value: Any) -> Any:
        return split_fallbacks(value)

    @field_validator("model_info", mode="before")
    @classmethod
    def _key_model_info(cls, value: Any, info: ValidationInfo) -> Any:
        """A mapping holding info fields (no model is named like one) describes the primary model."""
        if isinstance(value, dict) and set(value) & set(ModelInfoConfig.model_fields):
            return {info.data.get("model", ""): value}
        return value

    @field_serializer(*_FREE_FORM)
    def _mask_free_form(self, value: Any) -> Any:
        return mask_secrets(value)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, mask_secrets(value) if name in _FREE_FORM else value

    def secret_values(self) -> list[str]:
        """Every secret this config holds, for scrubbing text we did not write ourselves."""
        found = self.endpoint_secrets()
        for f in [*self.fallback_models, self.embedding_model, *self.embedding_fallback_models]:
            if isinstance(f, FallbackModel):
                found += f.endpoint_secrets()
        for name in _FREE_FORM:
            found += find_secrets(getattr(self, name))
        return found

    # Secret value -> the whole ``${VAR}`` it was read from; only what build_config saw is known.
    _references: dict[str, str] = PrivateAttr(default_factory=dict)

    def remember_references(self, references: Mapping[str, str]) -> None:
        """Note which variable each of this config's secrets came from, so it pickles by reference."""
        secrets = set(self.secret_values())
        self._references = {value: ref for value, ref in references.items() if value in secrets}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with each secret as its ``${VAR}``; the receiver reads the variables from its own
        environment and validates again. A secret from no variable refuses with a ``SpecError``."""
        return restore_config, (type(self), by_reference(self, self._references.get))
