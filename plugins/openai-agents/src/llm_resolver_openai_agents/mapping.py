"""Agents SDK input items, tools, handoffs and settings to an llm-resolver request, and replies back as
Chat Completions objects for the SDK's own converters. Items go through the SDK's Chat Completions
converter, so they map the way its own Chat Completions model maps them; what cannot be carried is
refused by name."""

from __future__ import annotations

from typing import Any

from agents import FunctionTool, Handoff, ModelSettings, Tool
from agents.agent_output import AgentOutputSchemaBase
from agents.items import TResponseInputItem
from agents.models.chatcmpl_converter import Converter
from openai import Omit
from openai.types.chat import ChatCompletionMessage, ChatCompletionMessageFunctionToolCall
from openai.types.chat.chat_completion_message_function_tool_call import Function
from openai.types.completion_usage import CompletionUsage, PromptTokensDetails

from llm_resolver import ChatResponse, LLMBadRequestError, Message

_REQUEST_FIELDS = ("temperature", "top_p", "frequency_penalty", "presence_penalty", "max_tokens")
_PROVIDER_OPTIONS = ("parallel_tool_calls", "verbosity", "top_logprobs")
# Read by the Runner (retries) or satisfied by every LLM (usage is always metered), not sent.
_RUNNER_SETTINGS = ("tool_choice", "retry", "include_usage", "preserve_raw_usage")
_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool"}
_MESSAGE_KEYS = frozenset({"role", "content", "tool_calls", "tool_call_id", "name"})


def unsupported(feature: str) -> LLMBadRequestError:
    return LLMBadRequestError(f"the OpenAI Agents SDK bridge cannot carry {feature}")


def request_options(
    system_instructions: str | None,
    items: str | list[TResponseInputItem],
    settings: ModelSettings,
    tools: list[Tool],
    output_schema: AgentOutputSchemaBase | None,
    handoffs: list[Handoff[Any, Any]],
    model: str,
) -> dict[str, Any]:
    """What ``LLM.complete`` takes for one model call of the agent loop; ``messages`` included."""
    messages = [_message(m) for m in Converter.items_to_messages(items, model=model)]
    if system_instructions:
        messages.insert(0, Message.system(system_instructions))
    options: dict[str, Any] = {"messages": messages, **_settings(settings)}
    wire_tools = [_tool(t) for t in tools] + [Converter.convert_handoff_tool(h) for h in handoffs]
    if wire_tools:
        options["tools"] = wire_tools
        choice = Converter.convert_tool_choice(settings.tool_choice)
        if not isinstance(choice, Omit):
            options["tool_choice"] = choice
    response_format = Converter.convert_response_format(output_schema)
    if not isinstance(response_format, Omit):
        options["response_format"] = response_format
    return options


def _message(wire: Any) -> Message:
    extra = sorted(set(wire) - _MESSAGE_KEYS)
    if extra:
        raise unsupported(f"the message field(s) {extra}")
    role = _ROLES.get(wire.get("role"))
    if role is None:
        raise unsupported(f"a {wire.get('role')!r} message")
    content = wire.get("content")
    if isinstance(content, list):
        for part in content:
            if part.get("type") not in ("text", "image_url"):
                raise unsupported(f"{part.get('type')!r} content (send text or images)")
        if role != "user":  # tool results and assistant turns are text on every provider
            content = "".join(part["text"] for part in content if part.get("type") == "text")
    return Message.model_validate({**wire, "role": role, "content": content})


def _tool(tool: Tool) -> Any:
    if not isinstance(tool, FunctionTool):
        raise unsupported(f"the hosted tool {type(tool).__name__} (it needs OpenAI's Responses API)")
    return Converter.tool_to_openai(tool)


def _settings(settings: ModelSettings) -> dict[str, Any]:
    options: dict[str, Any] = {}
    provider_options: dict[str, Any] = {}
    for name in ModelSettings.__dataclass_fields__:
        value = getattr(settings, name)
        if value is None or name in _RUNNER_SETTINGS:
            continue
        if name in _REQUEST_FIELDS:
            options[name] = value
        elif name in _PROVIDER_OPTIONS:
            provider_options[name] = value
        elif name == "reasoning" and value.model_dump(exclude_none=True).keys() == {"effort"}:
            provider_options["reasoning_effort"] = value.effort
        else:
            raise unsupported(f"the model setting {name}={value!r}")
    if "top_logprobs" in provider_options:
        provider_options["logprobs"] = True  # the API takes top_logprobs only with logprobs on
    if provider_options:
        options["provider_options"] = provider_options
    return options


def completion_message(response: ChatResponse) -> ChatCompletionMessage:
    """The reply as the Chat Completions message the SDK's converter turns into output items."""
    calls = [
        ChatCompletionMessageFunctionToolCall(
            id=c.id,
            type="function",
            function=Function(name=c.name, arguments=c.to_openai()["function"]["arguments"]),
        )
        for c in response.tool_calls
    ]
    return ChatCompletionMessage(role="assistant", content=response.text or None, tool_calls=calls or None)


def completion_usage(response: ChatResponse) -> CompletionUsage:
    """Usage in the Chat Completions shape, plus the metered cost, the model that answered and every
    attempt: the SDK keeps this as the response's ``raw_usage`` when ``preserve_raw_usage`` is on."""
    usage = response.usage
    return CompletionUsage(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=usage.cached_tokens),
        cost_usd=response.cost_usd,
        model=response.model,
        attempts=[a.model_dump(mode="json") for a in response.attempts],
    )
