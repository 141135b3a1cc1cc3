"""The request and the coercion every LLM method applies to what it is given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from llm_resolver.errors import LLMBadRequestError
from llm_resolver.types.limits import MaxTokens, Penalty, Seed, Temperature, TopP
from llm_resolver.types.messages import Message, Role
from llm_resolver.types.options import ChatProviderOptions, check_provider_options
from llm_resolver.types.tool import Tool

ChatOptions = Annotated[dict[str, Any], BeforeValidator(check_provider_options)]


class ChatRequest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid", hide_input_in_errors=True)

    messages: list[Message]
    tools: list[Tool | dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    response_format: dict[str, Any] | type[BaseModel] | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_tokens: MaxTokens | None = None
    frequency_penalty: Penalty | None = None
    presence_penalty: Penalty | None = None
    stop: str | list[str] | None = None
    seed: Seed | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    provider_options: ChatOptions = Field(
        default_factory=dict,
        description=f"provider parameters: {', '.join(ChatProviderOptions.model_fields)}",
    )

    def tools_openai(self) -> list[dict[str, Any]] | None:
        if not self.tools:
            return None
        return [t.to_openai() if isinstance(t, Tool) else t for t in self.tools]

    def messages_openai(self) -> list[dict[str, Any]]:
        return [m.to_openai() for m in self.messages]


RequestLike = ChatRequest | str | Message | Sequence[Message | dict[str, Any]] | dict[str, Any]


def coerce_request(request: RequestLike, **overrides: Any) -> ChatRequest:
    """Accept a str, a message, a list of messages/dicts, a dict or a ChatRequest; apply per-call options."""
    try:
        if isinstance(request, ChatRequest):
            base = request
        elif isinstance(request, str):
            base = ChatRequest.model_validate({"messages": [{"role": Role.USER, "content": request}]})
        elif isinstance(request, Message):
            base = ChatRequest(messages=[request])
        elif isinstance(request, dict):
            base = ChatRequest.model_validate(request)
        elif isinstance(request, list | tuple):
            base = ChatRequest.model_validate({"messages": list(request)})
        else:
            raise LLMBadRequestError(
                f"cannot use a {type(request).__name__} as a request; pass a str, a list of messages "
                "or a ChatRequest"
            )
        if overrides:
            unknown = set(overrides) - set(ChatRequest.model_fields)
            if unknown:
                raise LLMBadRequestError(
                    f"unknown request option(s) {sorted(unknown)}; known: {sorted(ChatRequest.model_fields)}"
                )
            # Validated like any request (model_copy would skip validation and let anything through).
            base = ChatRequest.model_validate({**dict(base), **overrides})
    except ValidationError as exc:
        raise LLMBadRequestError(f"invalid request: {_first_error(exc)}") from None
    if not base.messages:
        raise LLMBadRequestError("the request has no messages; pass at least one")
    return base


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    return f"{loc}: {err['msg']}"
