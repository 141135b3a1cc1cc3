"""LangChain messages to llm-resolver messages and back, refusing by name what cannot be carried."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages import ToolCall as LCToolCall
from langchain_core.messages.ai import InputTokenDetails, UsageMetadata
from langchain_core.messages.tool import tool_call_chunk

from llm_resolver import (
    ChatChunk,
    ChatResponse,
    ImagePart,
    LLMBadRequestError,
    Message,
    Role,
    TextPart,
    ToolCall,
    Usage,
)


def unsupported(feature: str) -> LLMBadRequestError:
    return LLMBadRequestError(f"the LangChain bridge cannot carry {feature}")


def to_messages(messages: Sequence[BaseMessage]) -> list[Message]:
    return [_message(m) for m in messages]


def _message(message: BaseMessage) -> Message:
    if isinstance(message, SystemMessage):
        return Message(role=Role.SYSTEM, content=_text_only(message.content, "images in a system message"))
    if isinstance(message, HumanMessage):
        return Message(role=Role.USER, content=_content(message.content))
    if isinstance(message, AIMessage):
        calls = [ToolCall(id=c["id"] or "", name=c["name"], arguments=c["args"]) for c in message.tool_calls]
        calls += [
            ToolCall(id=c["id"] or "", name=c["name"] or "", raw_arguments=c["args"])
            for c in message.invalid_tool_calls
        ]
        text = _text_only(message.content, "images in an assistant message")
        return Message.assistant(text or None, tool_calls=calls)
    if isinstance(message, ToolMessage):
        return Message.tool(_text_only(message.content, "images in a tool result"), message.tool_call_id)
    if isinstance(message, ChatMessage) and message.role in _CHAT_ROLES:
        return _message(_CHAT_ROLES[message.role](content=message.content))
    raise unsupported(
        f"a {type(message).__name__} (role {getattr(message, 'role', message.type)!r}); "
        "use system, human, ai or tool messages"
    )


_CHAT_ROLES: dict[str, type[SystemMessage | HumanMessage | AIMessage]] = {
    "system": SystemMessage,
    "user": HumanMessage,
    "assistant": AIMessage,
}


def _content(content: str | list[str | dict[str, Any]]) -> str | list[TextPart | ImagePart]:
    if isinstance(content, str):
        return content
    parts: list[TextPart | ImagePart] = []
    for block in content:
        parts.append(TextPart(text=block) if isinstance(block, str) else _block(block))
    return parts


def _block(block: dict[str, Any]) -> TextPart | ImagePart:
    kind = block.get("type")
    if kind == "text":
        return TextPart(text=str(block.get("text", "")))
    if kind == "image_url":  # OpenAI's shape
        image = block.get("image_url")
        if isinstance(image, dict):
            return ImagePart(url=str(image.get("url", "")), detail=image.get("detail", "auto"))
        return ImagePart(url=str(image))
    if kind == "image":  # LangChain's standard block: a URL, or base64 data with its MIME type
        url = block.get("url") or (block.get("source_type") == "url" and block.get("data"))
        if url:
            return ImagePart(url=str(url))
        data = block.get("base64") or block.get("data")
        mime = block.get("mime_type")
        if data and mime:
            return ImagePart(url=f"data:{mime};base64,{data}")
        raise unsupported("an image block without a url or base64 data and mime_type (e.g. a file id)")
    raise unsupported(f"{kind!r} content blocks")


def _text_only(content: str | list[str | dict[str, Any]], what: str) -> str:
    parts = _content(content)
    if isinstance(parts, str):
        return parts
    if any(isinstance(p, ImagePart) for p in parts):
        raise unsupported(what)
    return "".join(p.text for p in parts if isinstance(p, TextPart))


def usage_metadata(usage: Usage) -> UsageMetadata:
    return UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
        input_token_details=InputTokenDetails(cache_read=usage.cached_tokens),
    )


def response_metadata(response: ChatResponse) -> dict[str, Any]:
    """``model_name`` is the model that answered, which after a fallback is not the configured one."""
    return {
        "model_name": response.model,
        "finish_reason": response.finish_reason,
        "cost_usd": response.cost_usd,
        "attempts": [a.model_dump() for a in response.attempts],
    }


def to_ai_message(response: ChatResponse) -> AIMessage:
    calls: list[LCToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in response.tool_calls:
        if call.raw_arguments is None:
            calls.append(LCToolCall(name=call.name, args=call.arguments, id=call.id, type="tool_call"))
        else:
            invalid.append(
                InvalidToolCall(
                    name=call.name,
                    args=call.raw_arguments,
                    id=call.id,
                    error="the arguments are not a JSON object",
                    type="invalid_tool_call",
                )
            )
    return AIMessage(
        content=response.text,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_metadata(response.usage),
        response_metadata=response_metadata(response),
    )


def to_ai_chunk(chunk: ChatChunk) -> AIMessageChunk:
    """A delta; its ``finish_reason`` waits for the last chunk, where LangChain's merge keeps it once."""
    return AIMessageChunk(
        content=chunk.text,
        tool_call_chunks=[
            tool_call_chunk(name=d.name, args=d.arguments, id=d.id, index=d.index) for d in chunk.tool_calls
        ],
    )


def last_chunk(response: ChatResponse) -> AIMessageChunk:
    return AIMessageChunk(
        content="",
        usage_metadata=usage_metadata(response.usage),
        response_metadata=response_metadata(response),
        chunk_position="last",
    )
