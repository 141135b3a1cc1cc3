"""``provider_options``: the provider parameters a caller may add to a request, as an allow-list.

Anything else is refused by name, because LiteLLM treats its keyword arguments as its own settings:
an ``api_base`` or ``base_url`` there would send our credentials elsewhere, ``num_retries`` would add
hidden retries, ``input_cost_per_token`` rewrites LiteLLM's process-wide price table, ``mock_response``
forges a reply. Settings the library owns name the setting to use instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

_ENDPOINT = (
    "the config's api_base / api_key / api_version / organization / extra_headers (or a fallback entry's own)"
)
_RETRIES = "max_retries and retry in the config: retries are the library's, LiteLLM's stay off"
_TIMEOUTS = "timeout (per attempt) and deadline (per call) in the config, or deadline= per call"
_PRICES = "input_cost_per_token / output_cost_per_token or model_info in the config"
_STREAMING = "llm.stream() / llm.astream()"
_OBSERVING = "cost_meters in the config, or a plugin's after_response / on_error hooks"

# Keys the library owns, with what to use instead. Matched before the allow-list so the error can help.
OWNED: dict[str, str] = {
    **dict.fromkeys(
        (
            "api_base",
            "base_url",
            "api_key",
            "api_version",
            "organization",
            "extra_headers",
            "headers",
            "default_headers",
            "custom_llm_provider",
            "deployment_id",
            "client",
        ),
        _ENDPOINT,
    ),
    **dict.fromkeys(("num_retries", "max_retries", "retry_policy", "fallbacks"), _RETRIES),
    **dict.fromkeys(("timeout", "request_timeout", "stream_timeout"), _TIMEOUTS),
    **dict.fromkeys(("stream", "stream_options"), _STREAMING),
    **dict.fromkeys(
        ("callbacks", "success_callback", "failure_callback", "logger_fn", "litellm_logging_obj"), _OBSERVING
    ),
    "mock_response": "llm_resolver.testing (ProviderEmulator or FakeLLM) to script replies",
    "model": "the config's model and fallback_models",
    "messages": "the request's messages",
    "metadata": "the request's metadata (it reaches hooks, never the provider)",
    **{
        name: f"the request's own {name} field"
        for name in (
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "seed",
            "tools",
            "tool_choice",
            "response_format",
            "frequency_penalty",
            "presence_penalty",
        )
    },
    "n": "one call per choice: this library returns one choice per call",
}


def _owned_price(key: str) -> bool:
    return "_cost_" in key or key.endswith("_cost") or key.startswith("cost_")


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Thinking(_Options):
    """Anthropic's extended thinking; its tokens count within ``max_tokens``."""

    type: Literal["enabled", "disabled"]
    budget_tokens: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


class ChatProviderOptions(_Options):
    """Provider parameters a chat call may carry, each checked for type and range."""

    user: Annotated[str, Field(max_length=256)] | None = None
    logit_bias: dict[str, Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]] | None = None
    logprobs: bool | None = None
    top_logprobs: Annotated[int, Field(ge=0, le=20)] | None = None
    parallel_tool_calls: bool | None = None
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high"] | None = None
    verbosity: Literal["low", "medium", "high"] | None = None
    thinking: Thinking | None = None
    top_k: Annotated[int, Field(ge=1)] | None = None
    service_tier: Literal["auto", "default", "flex", "priority", "scale"] | None = None
    prompt_cache_key: Annotated[str, Field(max_length=1024)] | None = None
    safety_settings: list[dict[str, str]] | None = None


class ConfigProviderOptions(ChatProviderOptions):
    """What only a configuration may set: the credentials and region of providers that take no
    ``api_key`` (AWS Bedrock, Vertex AI); masked in every dump by their names."""

    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None
    aws_region_name: Annotated[str, Field(max_length=64)] | None = None
    aws_profile_name: Annotated[str, Field(max_length=256)] | None = None
    vertex_project: Annotated[str, Field(max_length=256)] | None = None
    vertex_location: Annotated[str, Field(max_length=64)] | None = None
    vertex_credentials: str | dict[str, Any] | None = None


class EmbeddingProviderOptions(_Options):
    """Provider parameters an embedding call may carry (``dimensions`` is an option of its own)."""

    user: Annotated[str, Field(max_length=256)] | None = None
    input_type: Annotated[str, Field(max_length=64)] | None = None
    task_type: Annotated[str, Field(max_length=64)] | None = None


def check_provider_options(value: Any, allowed: type[_Options] = ChatProviderOptions) -> dict[str, Any]:
    """The options as LiteLLM gets them; raises ``PydanticCustomError`` (a ``ValueError`` inside pydantic
    validation) naming the first key that is owned, unknown or out of range."""
    if value is None or (isinstance(value, Mapping) and not value):
        return {}  # the common case, on every request: nothing to check
    if not isinstance(value, Mapping):
        raise PydanticCustomError(
            "provider_options",
            "must be a mapping of provider parameters, not a {kind}",
            {"kind": type(value).__name__},
        )
    for key in value:
        name = str(key)
        if name in OWNED or _owned_price(name):
            instead = OWNED.get(name, _PRICES)
            raise PydanticCustomError(
                "provider_option_owned",
                "{key} is set by the library and cannot be passed as a provider option; use {instead}",
                {"key": name, "instead": instead},
            )
        if name not in allowed.model_fields and name in ConfigProviderOptions.model_fields:
            raise PydanticCustomError(
                "provider_option_config_only",
                "{key} is a provider credential: set it in the config's provider_options, not per call",
                {"key": name},
            )
        if name not in allowed.model_fields:
            raise PydanticCustomError(
                "provider_option_unknown",
                "{key} is not a provider option this library passes on; known: {known}",
                {"key": name, "known": ", ".join(sorted(allowed.model_fields))},
            )
    try:
        checked = allowed.model_validate(dict(value))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise PydanticCustomError(
            "provider_option_invalid", "{where}: {msg}", {"where": where, "msg": err["msg"]}
        ) from None
    return checked.model_dump(exclude_none=True)
