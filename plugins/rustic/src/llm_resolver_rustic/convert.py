"""Rustic's chat models ↔ ours. Nothing the caller passed is changed: every value is copied."""

from __future__ import annotations

import copy
import importlib
import time
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from rustic_ai.core.guild.agent_ext.depends.llm.models import (
    AssistantMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionRequest,
    ChatCompletionResponse,
    Choice,
    CompletionUsage,
    FileContentPart,
    FinishReason,
    FunctionCall,
    FunctionMessage,
    ImageContentPart,
    SystemMessage,
    TextContentPart,
    ToolMessage,
    ToolType,
    UserMessage,
)

from llm_resolver import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    LLMBadRequestError,
    Message,
    Role,
    TextPart,
    ToolCall,
)

# Rustic request fields that travel as our provider options (each checked by our allow-list).
_PROVIDER_FIELDS = (
    "user",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "parallel_tool_calls",
    "reasoning_effort",
)
# Rustic request fields we refuse, with what to do instead.
_REFUSED = {
    "max_retries": "set max_retries in the resolver's properties: retries are the resolver's",
    "mock_response": "script replies with llm_resolver.testing.ProviderEmulator instead",
    "deployment_id": "name the deployment in the resolver's model (azure/<deployment>)",
    "prediction": "predicted outputs are not supported; drop prediction",
    "web_search_options": "web search is not supported; drop web_search_options",
}
_FINISH = {reason.value for reason in FinishReason}


def to_request(prompt: ChatCompletionRequest) -> tuple[ChatRequest, dict[str, Any]]:
    """Our request for Rustic's, and the per-call options (``deadline`` from its ``timeout``)."""
    for name, instead in _REFUSED.items():
        if getattr(prompt, name) is not None:
            raise LLMBadRequestError(f"ChatCompletionRequest.{name} is not supported here; {instead}")
    if prompt.n not in (None, 1):
        raise LLMBadRequestError(
            f"ChatCompletionRequest.n={prompt.n}: one choice per call; make {prompt.n} calls instead"
        )
    provider = {name: getattr(prompt, name) for name in _PROVIDER_FIELDS if getattr(prompt, name)}
    fields: dict[str, Any] = {
        "messages": [to_message(m) for m in prompt.messages],
        "temperature": prompt.temperature,
        "top_p": prompt.top_p,
        "max_tokens": prompt.max_tokens if prompt.max_tokens is not None else prompt.max_completion_tokens,
        "presence_penalty": prompt.presence_penalty,
        "frequency_penalty": prompt.frequency_penalty,
        "seed": prompt.seed,
        "stop": _stop(prompt.stop),
        "tools": [t.model_dump(mode="json", exclude_none=True) for t in prompt.tools]
        if prompt.tools
        else None,
        "tool_choice": _tool_choice(prompt.tool_choice),
        "response_format": response_format(prompt.response_format),
        "provider_options": provider,
    }
    try:
        request = ChatRequest.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise LLMBadRequestError(f"ChatCompletionRequest cannot be sent: {where}: {err['msg']}") from None
    options = {"deadline": prompt.timeout} if prompt.timeout else {}
    return request, options


def to_message(message: Any) -> Message:
    if isinstance(message, SystemMessage):
        return Message(role=Role.SYSTEM, content=message.content, name=message.name)
    if isinstance(message, UserMessage):
        content = message.content
        if isinstance(content, str):
            return Message(role=Role.USER, content=content, name=message.name)
        return Message(role=Role.USER, content=[_part(p) for p in content.root], name=message.name)
    if isinstance(message, AssistantMessage):
        calls = [
            ToolCall.from_wire(c.id, c.function.name, c.function.arguments) for c in message.tool_calls or []
        ]
        return Message(role=Role.ASSISTANT, content=message.content, tool_calls=calls, name=message.name)
    if isinstance(message, ToolMessage):
        return Message.tool(message.content, message.tool_call_id)
    if isinstance(message, FunctionMessage):
        raise LLMBadRequestError(
            "FunctionMessage belongs to the retired function-calling API; send a ToolMessage with the "
            "tool_call_id of the assistant's tool call instead"
        )
    raise LLMBadRequestError(f"cannot send a {type(message).__name__} as a chat message")


def _part(part: Any) -> TextPart | ImagePart:
    if isinstance(part, TextContentPart):
        return TextPart(text=part.text)
    if isinstance(part, ImageContentPart):
        detail = getattr(part.image_url.detail, "value", part.image_url.detail) or "auto"
        try:
            return ImagePart(url=part.image_url.url, detail=detail)
        except ValidationError as exc:
            raise LLMBadRequestError(f"image_url part: {exc.errors()[0]['msg']}") from None
    if isinstance(part, FileContentPart):
        raise LLMBadRequestError(
            "file_url content parts are not supported; send images as image_url parts, or the file's text"
        )
    raise LLMBadRequestError(f"cannot send a {type(part).__name__} content part")


def _stop(stop: Any) -> str | list[str] | None:
    if stop is None or isinstance(stop, str):
        return stop
    return list(stop.root)


def _tool_choice(choice: Any) -> str | dict[str, Any] | None:
    if choice is None:
        return None
    if isinstance(choice, BaseModel):
        dumped: dict[str, Any] = choice.model_dump(mode="json", exclude_none=True)
        return dumped
    return str(getattr(choice, "value", choice))


def response_format(value: dict[str, Any] | str | None) -> dict[str, Any] | type[BaseModel] | None:
    """Rustic's ``response_format``: an OpenAI response format, a bare JSON schema, or the dotted path
    of a pydantic class (which becomes our structured output, validated into ``parsed``)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _pydantic_class(value)
    if value.get("type") in ("json_schema", "json_object", "text"):
        return copy.deepcopy(value)
    schema = copy.deepcopy(value)
    name = str(schema.get("title") or "response")
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}


def _pydantic_class(path: str) -> type[BaseModel]:
    module, _, name = path.rpartition(".")
    try:
        found = getattr(importlib.import_module(module), name) if module else None
    except ImportError:
        found = None
    if not (isinstance(found, type) and issubclass(found, BaseModel)):
        raise LLMBadRequestError(
            f"response_format {path!r} is not the dotted path of an importable pydantic model "
            "(package.module.ClassName); pass the path of a BaseModel subclass, or a JSON schema dict"
        )
    return found


def to_response(
    response: ChatResponse, input_messages: list[Any] | None = None, extra: Mapping[str, Any] | None = None
) -> ChatCompletionResponse:
    """Rustic's response; ``cost_usd``, ``attempts``, ``parsed`` (and ``cached``) ride in the choice's
    ``provider_specific_fields``, and a finish reason Rustic's enum lacks is kept there too."""
    calls = [
        ChatCompletionMessageToolCall(
            id=c.id,
            type=ToolType.function,
            function=FunctionCall(name=c.name, arguments=c.to_openai()["function"]["arguments"]),
        )
        for c in response.tool_calls
    ]
    fields: dict[str, Any] = {
        "cost_usd": response.cost_usd,
        "attempts": [a.model_dump() for a in response.attempts],
        "parsed": response.parsed,
        "cached": response.cached,
        "model": response.model,
        **(extra or {}),
    }
    finish = response.finish_reason
    if finish not in _FINISH:
        fields["finish_reason"] = finish
        finish = FinishReason.tool_calls if calls else FinishReason.stop
    usage = response.usage
    return ChatCompletionResponse(
        id=str(getattr(response.raw, "id", None) or f"chatcmpl-{uuid.uuid4().hex}"),
        created=int(getattr(response.raw, "created", None) or time.time()),
        model=response.model,
        choices=[
            Choice(
                index=0,
                finish_reason=finish,
                message=AssistantMessage(
                    content=response.text or None if calls else response.text, tool_calls=calls or None
                ),
                provider_specific_fields=fields,
            )
        ],
        usage=CompletionUsage(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            total_tokens=usage.total_tokens,
        ),
        input_messages=input_messages,
    )
