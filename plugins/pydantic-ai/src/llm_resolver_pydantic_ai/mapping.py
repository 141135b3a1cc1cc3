"""PydanticAI messages, settings and tool definitions to an llm-resolver request, and a response back,
refusing by name what cannot be carried."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_ai.messages import (
    BinaryContent,
    FinishReason,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    RetryPromptPart,
    SystemPromptPart,
    TextContent,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from pydantic_ai.messages import TextPart as AITextPart
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models._tool_choice import resolve_tool_choice
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import RequestUsage

from llm_resolver import (
    ChatResponse,
    ImagePart,
    LLMBadRequestError,
    Message,
    Role,
    TextPart,
    ToolCall,
    Usage,
)

# ModelSettings keys that are ChatRequest fields (by their name there) or allowed provider options.
_REQUEST_FIELDS = {
    "max_tokens": "max_tokens",
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "stop_sequences": "stop",
}
_PROVIDER_OPTIONS = frozenset({"top_k", "parallel_tool_calls", "logit_bias", "service_tier"})
_FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_call",
    "function_call": "tool_call",
    "content_filter": "content_filter",
}


def unsupported(feature: str) -> LLMBadRequestError:
    return LLMBadRequestError(f"the PydanticAI bridge cannot carry {feature}")


def request_options(
    messages: Sequence[ModelMessage], settings: ModelSettings | None, params: ModelRequestParameters
) -> dict[str, Any]:
    """What ``LLM.complete`` takes for one model request the agent graph makes (already prepared)."""
    options: dict[str, Any] = {"messages": _messages(messages, params)}
    provider_options: dict[str, Any] = {}
    for key, value in (settings or {}).items():
        if key in _REQUEST_FIELDS:
            options[_REQUEST_FIELDS[key]] = value
        elif key in _PROVIDER_OPTIONS:
            provider_options[key] = value
        elif key != "tool_choice":  # resolved below, with the output tools
            raise unsupported(f"the model setting {key!r}")
    if provider_options:
        options["provider_options"] = provider_options
    tools, tool_choice = _tools(settings, params)
    if tools:
        options["tools"] = tools
        options["tool_choice"] = tool_choice
    if params.output_mode == "native" and params.output_object is not None:
        out = params.output_object
        schema: dict[str, Any] = {
            "name": out.name or "final_result",
            "schema": out.json_schema,
            "strict": bool(out.strict),
        }
        if out.description:
            schema["description"] = out.description
        options["response_format"] = {"type": "json_schema", "json_schema": schema}
    return options


def _messages(history: Sequence[ModelMessage], params: ModelRequestParameters) -> list[Message]:
    messages: list[Message] = []
    for message in history:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                messages.extend(_request_part(part))
        else:
            messages.append(_assistant(message.parts))
    # Instructions (and prompted-output instructions) go after the leading system prompts, like the
    # framework's own OpenAI model puts them.
    parts = Model._get_instruction_parts(history, params) or []
    leading = next((i for i, m in enumerate(messages) if m.role != Role.SYSTEM), len(messages))
    messages[leading:leading] = [Message.system(p.content) for p in parts]
    return messages


def _request_part(part: object) -> list[Message]:
    if isinstance(part, SystemPromptPart):
        return [Message.system(part.content)]
    if isinstance(part, UserPromptPart):
        return [Message(role=Role.USER, content=_user_content(part.content))]
    if isinstance(part, ToolReturnPart):
        text, files = part.model_response_str_and_user_content()
        reply = [Message.tool(text, part.tool_call_id)]
        # Files a tool returned follow as a user message: tool results carry text only.
        return [*reply, Message(role=Role.USER, content=_user_content(files))] if files else reply
    if isinstance(part, RetryPromptPart):
        if part.tool_name is None:
            return [Message(role=Role.USER, content=part.model_response())]
        return [Message.tool(part.model_response(), part.tool_call_id)]
    raise unsupported(f"{getattr(part, 'part_kind', type(part).__name__)!r} request parts")


def _user_content(content: str | Sequence[UserContent]) -> str | list[TextPart | ImagePart]:
    if isinstance(content, str):
        return content
    parts: list[TextPart | ImagePart] = []
    for item in content:
        if isinstance(item, str):
            parts.append(TextPart(text=item))
        elif isinstance(item, TextContent):
            parts.append(TextPart(text=item.content))
        elif isinstance(item, ImageUrl):
            detail = (item.vendor_metadata or {}).get("detail", "auto")
            parts.append(ImagePart(url=item.url, detail=detail))
        elif isinstance(item, BinaryContent) and item.is_image:
            detail = (item.vendor_metadata or {}).get("detail", "auto")
            parts.append(ImagePart(url=item.data_uri, detail=detail))
        else:
            kind = getattr(item, "kind", type(item).__name__)
            media = getattr(item, "media_type", None)
            raise unsupported(
                f"{kind!r} user content" + (f" ({media})" if media else "") + "; send text or images"
            )
    return parts


def _assistant(parts: Sequence[ModelResponsePart]) -> Message:
    texts: list[str] = []
    calls: list[ToolCall] = []
    for part in parts:
        if isinstance(part, AITextPart):
            texts.append(part.content)
        elif isinstance(part, ToolCallPart):
            calls.append(ToolCall.from_wire(part.tool_call_id, part.tool_name, part.args))
        else:
            raise unsupported(f"{part.part_kind!r} response parts in the history")
    return Message.assistant("".join(texts) or None, tool_calls=calls)


def _tools(
    settings: ModelSettings | None, params: ModelRequestParameters
) -> tuple[list[dict[str, Any]], str | dict[str, Any] | None]:
    """Function and output tools, and the tool choice, resolved the way the framework's models do."""
    choice = resolve_tool_choice(settings, params)
    defs = params.declared_tool_defs
    wire_choice: str | dict[str, Any]
    if isinstance(choice, tuple):
        mode, names = choice
        defs = {name: d for name, d in defs.items() if name in names}
        if mode == "required" and len(names) == 1:
            wire_choice = {"type": "function", "function": {"name": next(iter(names))}}
        else:
            wire_choice = mode
    else:
        wire_choice = choice
    tools = [_tool(d) for d in defs.values()]
    return tools, wire_choice if tools else None


def _tool(definition: ToolDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {
        "name": definition.name,
        "description": definition.description or "",
        "parameters": definition.parameters_json_schema,
    }
    if definition.strict:
        function["strict"] = True
    return {"type": "function", "function": function}


def request_usage(usage: Usage) -> RequestUsage:
    return RequestUsage(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        cache_read_tokens=usage.cached_tokens,
    )


def finish_reason(response: ChatResponse) -> FinishReason | None:
    return _FINISH_REASONS.get(response.finish_reason or "")


def provider_details(response: ChatResponse) -> dict[str, Any]:
    """Where PydanticAI keeps what its own fields do not: the metered cost and every attempt."""
    return {
        "cost_usd": response.cost_usd,
        "attempts": [a.model_dump() for a in response.attempts],
        "finish_reason": response.finish_reason,
    }


def model_response(response: ChatResponse) -> ModelResponse:
    parts: list[ModelResponsePart] = []
    if response.text:
        parts.append(AITextPart(content=response.text))
    for call in response.tool_calls:
        args = call.raw_arguments if call.raw_arguments is not None else call.arguments
        parts.append(ToolCallPart(tool_name=call.name, args=args, tool_call_id=call.id))
    return ModelResponse(
        parts=parts,
        usage=request_usage(response.usage),
        model_name=response.model,
        provider_name=provider_name(response.model),
        provider_details=provider_details(response),
        finish_reason=finish_reason(response),
    )


def provider_name(model: str) -> str | None:
    """The LiteLLM provider prefix of the model that answered (``anthropic/claude…`` → ``anthropic``)."""
    prefix, slash, _ = model.partition("/")
    return prefix if slash else None
