"""OpenAI's chat-completions and embeddings wire format, to and from llm-resolver's types.

Bodies are read against an allow-list (``fields.read_fields``), and so is every object inside them
(messages, content parts, tool calls, tools, ``tool_choice``, ``response_format``), so nothing a client
sends reaches LiteLLM unread: an ``api_base`` would send the server's upstream key elsewhere, a hosted or
``mcp`` tool would have the provider run a billed tool or connect to a URL of the client's choosing, a
``response_format`` of LiteLLM's own would run its schema validation in this process. Content parts are
text or ``image_url`` only, so a remote client can never hand a content loader a local path; ``n`` must
be 1; ``developer`` (what newer SDKs send for system prompts) is a system message.
"""

from __future__ import annotations

import base64
import struct
import time
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from llm_resolver import ChatChunk, ChatRequest, ChatResponse, EmbeddingResponse, Message, Usage
from llm_resolver_openai_server.fields import (
    WireError,
    at_most,
    at_most_in_all,
    check_types,
    model_name,
    of_type,
    read_fields,
    read_object,
    required_string,
    validation_error,
)

IGNORED_HEADER = "x-llm-resolver-ignored"
CHUNK = "chat.completion.chunk"


# OpenAI body fields that are ChatRequest fields under the same name.
_SAME = (
    "tools",
    "tool_choice",
    "response_format",
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "seed",
    "frequency_penalty",
    "presence_penalty",
)
# Fields with no ChatRequest field, passed on as provider_options (which checks their values).
_PASSED = ("parallel_tool_calls", "logit_bias", "reasoning_effort")
_CHAT_TAKEN = frozenset(
    {"model", "messages", "stream", "stream_options", "n", "user", "max_completion_tokens", *_SAME, *_PASSED}
)
# Storage, billing tier and caching hints of OpenAI's own service: they change nothing in the answer.
_CHAT_IGNORED = frozenset({"store", "metadata", "service_tier", "prompt_cache_key", "safety_identifier"})
_CHAT_REFUSED = {
    "functions": "functions is deprecated and not taken; send tools instead",
    "function_call": "function_call is deprecated and not taken; send tool_choice instead",
}
_EMBEDDINGS_TAKEN = frozenset({"model", "input", "encoding_format", "dimensions", "user"})
_EMBEDDINGS_IGNORED: frozenset[str] = frozenset()
# What a provider takes; a larger value (2**63 has been sent) is only ever an error upstream.
MAX_DIMENSIONS = 65536
# Each message, part and tool is validated and its tokens counted on the event loop: without a cap one
# body of 900k tiny messages (29 MiB, within the body limit) held every other request up for 19 s.
MAX_MESSAGES = 2048
MAX_PER_MESSAGE = 256  # content parts, and tool calls, of one message
MAX_PARTS = 4096  # content parts and tool calls of all messages together
MAX_TOOLS = 512
MAX_STOP = 16  # stop sequences (OpenAI takes 4)
MAX_LOGIT_BIAS = 1024  # token ids in logit_bias
# OpenAI's own limit on the inputs of one embeddings request; each batch of them is an upstream call.
MAX_INPUTS = 2048
_BASIC = frozenset({"role", "content", "name"})
_MESSAGE_FIELDS = {
    "system": _BASIC,
    "developer": _BASIC,
    "user": _BASIC,
    "assistant": _BASIC | {"tool_calls"},
    "tool": _BASIC | {"tool_call_id"},
}
# What the openai SDK's assistant message holds besides: an earlier reply sent back has them null or empty.
_SDK_EMPTY = frozenset({"refusal", "audio", "function_call", "annotations"})
_FUNCTION_TYPES = {"name": "string", "description": "string", "parameters": "object", "strict": "boolean"}
_SCHEMA_TYPES = {"name": "string", "description": "string", "schema": "object", "strict": "boolean"}
_FORMAT_FIELDS = {
    "text": frozenset({"type"}),
    "json_object": frozenset({"type"}),
    "json_schema": frozenset({"type", "json_schema"}),
}
_CHOICES = ("none", "auto", "required")
# OpenAI's JSON types (pydantic's lax mode would take "0.5" as a number and true as an integer).
_CHAT_TYPES = {
    "n": "integer",
    "max_tokens": "integer",
    "max_completion_tokens": "integer",
    "seed": "integer",
    "temperature": "number",
    "top_p": "number",
    "frequency_penalty": "number",
    "presence_penalty": "number",
    "stream": "boolean",
    "parallel_tool_calls": "boolean",
    "user": "string",
    "reasoning_effort": "string",
    "logit_bias": "object",
    "response_format": "object",
    "tools": "array",
}


@dataclass(frozen=True)
class ChatCall:
    model: str
    request: ChatRequest
    stream: bool
    include_usage: bool
    ignored: tuple[str, ...]


@dataclass(frozen=True)
class EmbeddingsCall:
    model: str
    texts: list[str]  # empty when the input is token arrays
    tokens: list[list[int]]  # token arrays, for the model's tokenizer to decode
    options: dict[str, Any]  # for LLM.aembed
    base64: bool
    ignored: tuple[str, ...]


def chat_call(body: Any) -> ChatCall:
    fields, ignored = read_fields(body, _CHAT_TAKEN, _CHAT_IGNORED, _CHAT_REFUSED)
    model = model_name(fields)
    messages = fields.get("messages")
    if not isinstance(messages, list) or not messages:
        raise WireError("messages must be a non-empty list", "messages")
    at_most(messages, MAX_MESSAGES, "messages", "messages")
    lists = (m.get(k) for m in messages if isinstance(m, dict) for k in ("content", "tool_calls"))
    at_most_in_all(lists, MAX_PARTS, "messages", "content parts and tool calls")
    messages = [_request_message(m, f"messages[{i}]") for i, m in enumerate(messages)]
    check_types(fields, _CHAT_TYPES)
    if fields.get("n", 1) != 1:
        raise WireError("n must be 1: this server returns one choice", "n")
    same: dict[str, Any] = {name: fields[name] for name in _SAME if name in fields}
    if "tools" in same:
        same["tools"] = _tools(same["tools"])
    if "tool_choice" in same:
        same["tool_choice"] = _tool_choice(same["tool_choice"])
    if "response_format" in same:
        same["response_format"] = _response_format(same["response_format"])
    if "max_completion_tokens" in fields:
        same.setdefault("max_tokens", fields["max_completion_tokens"])
    passed = {name: fields[name] for name in _PASSED if name in fields}
    request = chat_request(messages, same, passed, fields.get("user"))
    stream = fields.get("stream", False)
    return ChatCall(model, request, stream, include_usage(fields.get("stream_options")), ignored)


def chat_request(
    messages: list[Any], same: dict[str, Any], passed: dict[str, Any], user: str | None
) -> ChatRequest:
    """The request every route builds, its validation errors as one sentence naming the field."""
    if isinstance(same.get("stop"), list):
        at_most(same["stop"], MAX_STOP, "stop", "stop sequences")
    if isinstance(passed.get("logit_bias"), dict):
        at_most(passed["logit_bias"], MAX_LOGIT_BIAS, "logit_bias", "token ids")
    metadata = {"user": user} if user is not None else {}
    try:
        return ChatRequest(
            messages=messages,
            provider_options=passed,
            metadata=metadata,
            **same,
        )
    except ValidationError as exc:
        raise validation_error(exc) from None


def embeddings_call(body: Any) -> EmbeddingsCall:
    fields, ignored = read_fields(body, _EMBEDDINGS_TAKEN, _EMBEDDINGS_IGNORED, {})
    model = model_name(fields)
    check_types(fields, {"dimensions": "integer", "encoding_format": "string", "user": "string"})
    texts, tokens = _embedding_input(fields.get("input"))
    at_most(texts or tokens, MAX_INPUTS, "input", "inputs")
    encoding = fields.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise WireError(f"encoding_format must be float or base64, not {encoding!r}", "encoding_format")
    dimensions = fields.get("dimensions")
    if dimensions is not None and not 1 <= dimensions <= MAX_DIMENSIONS:
        raise WireError(
            f"dimensions must be a positive int from 1 to {MAX_DIMENSIONS}, not {str(dimensions)[:40]}",
            "dimensions",
        )
    options: dict[str, Any] = {"dimensions": dimensions} if dimensions is not None else {}
    if "user" in fields:  # the end user, for the provider's abuse monitoring (length checked by the core)
        options["provider_options"] = {"user": fields["user"]}
    return EmbeddingsCall(model, texts, tokens, options, encoding == "base64", ignored)


def _embedding_input(given: Any) -> tuple[list[str], list[list[int]]]:
    """A string, a list of strings, one token array, or a list of token arrays (what LangChain's
    ``OpenAIEmbeddings`` sends by default)."""
    if isinstance(given, str):
        given = [given]
    if isinstance(given, list) and given and all(isinstance(t, str) for t in given):
        return given, []
    if isinstance(given, list) and given and all(_is_token(t) for t in given):
        given = [given]
    if isinstance(given, list) and given and all(isinstance(a, list) for a in given):
        for index, array in enumerate(given):
            if not array or not all(_is_token(t) for t in array):
                raise WireError(
                    f"input[{index}] must be a non-empty array of token ids (non-negative integers)",
                    "input",
                )
        return [], given
    raise WireError(
        "input must be a string, a non-empty list of strings, or token arrays (lists of integers)", "input"
    )


def _is_token(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def completion_body(response: ChatResponse, model: str) -> dict[str, Any]:
    return {
        "id": new_id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": _message(response.message), "finish_reason": response.finish_reason}
        ],
        "usage": usage_body(response.usage),
        "llm_resolver": extras(response),
    }


def chunk_body(chunk: ChatChunk, model: str, stream_id: str, first: bool) -> dict[str, Any]:
    delta: dict[str, Any] = {"role": "assistant"} if first else {}
    if chunk.text:
        delta["content"] = chunk.text
    if chunk.tool_calls:
        delta["tool_calls"] = [
            {
                "index": d.index,
                **({"id": d.id, "type": "function"} if d.id else {}),
                "function": {**({"name": d.name} if d.name else {}), "arguments": d.arguments},
            }
            for d in chunk.tool_calls
        ]
    return envelope(
        CHUNK, stream_id, model, [{"index": 0, "delta": delta, "finish_reason": chunk.finish_reason}]
    )


def usage_chunk_body(response: ChatResponse, model: str, stream_id: str) -> dict[str, Any]:
    """The last chunk when the client asked for ``stream_options.include_usage``."""
    return {
        **envelope(CHUNK, stream_id, model, []),
        "usage": usage_body(response.usage),
        "llm_resolver": extras(response),
    }


def embeddings_body(response: EmbeddingResponse, model: str, as_base64: bool) -> dict[str, Any]:
    vectors = [_base64(v) if as_base64 else v for v in response.vectors]
    return {
        "object": "list",
        "model": model,
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "usage": {"prompt_tokens": response.usage.prompt_tokens, "total_tokens": response.usage.total_tokens},
    }


def usage_body(usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
    }


def new_stream_id() -> str:
    return new_id("chatcmpl")


def include_usage(options: Any) -> bool:
    if options is None:
        return False
    if not isinstance(options, dict):
        raise WireError("stream_options must be an object", "stream_options")
    for key, value in options.items():
        if key != "include_usage" and value is not None:
            raise WireError(
                f"stream_options.{key} is not taken; this server takes only stream_options.include_usage",
                f"stream_options.{key}",
            )
    include = options.get("include_usage")
    if include is not None and not isinstance(include, bool):
        raise WireError("stream_options.include_usage must be true or false", "stream_options.include_usage")
    return include is True


def _request_message(message: Any, where: str) -> Any:
    """A chat message with only the fields of its role; ``developer`` (OpenAI's newer name for
    ``system``) as ``system``. A role we do not know is left to the request's validation, which names it."""
    if not isinstance(message, dict):
        raise WireError(f"{where} must be an object", where)
    role = message.get("role")
    allowed = _MESSAGE_FIELDS.get(role) if isinstance(role, str) else None
    if allowed is None:
        return message
    fields = read_object(message, allowed, where, f"a {role} message", empty=_SDK_EMPTY)
    if role == "developer":
        fields["role"] = "system"
    content = fields.get("content")
    if isinstance(content, list):
        at_most(content, MAX_PER_MESSAGE, f"{where}.content", "content parts")
        fields["content"] = [_part(p, f"{where}.content[{n}]") for n, p in enumerate(content)]
    if "tool_calls" in fields:
        calls = fields["tool_calls"]
        if not isinstance(calls, list):
            raise WireError(f"{where}.tool_calls must be an array", f"{where}.tool_calls")
        at_most(calls, MAX_PER_MESSAGE, f"{where}.tool_calls", "tool calls")
        fields["tool_calls"] = [_tool_call(c, f"{where}.tool_calls[{n}]") for n, c in enumerate(calls)]
    return fields


def _part(part: Any, where: str) -> dict[str, Any]:
    """A text or ``image_url`` part (an image by URL or data URL, never a path a loader would read)."""
    kind = part.get("type") if isinstance(part, dict) else None
    if kind == "text":
        fields = read_object(part, ("type", "text"), where, "a text part")
        required_string(fields, "text", where)
        return fields
    if kind == "image_url":
        fields = read_object(part, ("type", "image_url"), where, "an image_url part")
        image = read_object(fields.get("image_url"), ("url", "detail"), f"{where}.image_url", "an image_url")
        required_string(image, "url", f"{where}.image_url")
        return {"type": "image_url", "image_url": image}
    raise WireError(f"{where}: type {kind!r:.60} is not taken; send text or image_url parts", f"{where}.type")


def _tool_call(call: Any, where: str) -> dict[str, Any]:
    """A function call of an earlier assistant reply, as OpenAI sends it (arguments as JSON text)."""
    fields = read_object(call, ("id", "type", "function"), where, "a tool call")
    if fields.get("type", "function") != "function":
        raise WireError(f"{where}.type must be function", f"{where}.type")
    function = read_object(
        fields.get("function"), ("name", "arguments"), f"{where}.function", "a function call"
    )
    name = required_string(function, "name", f"{where}.function")
    arguments = required_string(function, "arguments", f"{where}.function")
    return {
        "id": required_string(fields, "id", where),
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _tools(given: list[Any]) -> list[dict[str, Any]]:
    """Function tools only: a hosted tool (``web_search_preview``, ``mcp`` with its ``server_url``) would
    have the provider run it, billed and with the server's credentials."""
    at_most(given, MAX_TOOLS, "tools", "tools")
    tools = []
    for index, tool in enumerate(given):
        where = f"tools[{index}]"
        of_type(tool, "function", where, "this server takes function tools")
        fields = read_object(tool, ("type", "function"), where, "a function tool")
        function = read_object(fields.get("function"), _FUNCTION_TYPES, f"{where}.function", "a function")
        tools.append({"type": "function", "function": function_definition(function, f"{where}.function")})
    return tools


def function_definition(function: dict[str, Any], where: str) -> dict[str, Any]:
    """A function tool's ``name``, ``description``, ``parameters`` (a JSON schema) and ``strict``, typed."""
    check_types(function, _FUNCTION_TYPES, f"{where}.")
    required_string(function, "name", where)
    return function


def _tool_choice(choice: Any) -> Any:
    if choice in _CHOICES:
        return choice
    if not isinstance(choice, dict):
        raise WireError(
            'tool_choice must be "none", "auto", "required" or {"type": "function", "function": {"name": ...}}',
            "tool_choice",
        )
    of_type(choice, "function", "tool_choice", "this server takes function tool choices")
    fields = read_object(choice, ("type", "function"), "tool_choice", "a tool choice")
    function = read_object(
        fields.get("function"), ("name",), "tool_choice.function", "a tool choice's function"
    )
    return {
        "type": "function",
        "function": {"name": required_string(function, "name", "tool_choice.function")},
    }


def _response_format(given: dict[str, Any]) -> dict[str, Any]:
    """``text``, ``json_object`` or ``json_schema``, with OpenAI's fields only: LiteLLM's own
    (``response_schema`` with ``enforce_validation``) would validate the reply in this process."""
    kind = given.get("type")
    allowed = _FORMAT_FIELDS.get(kind) if isinstance(kind, str) else None
    if allowed is None:
        raise WireError(
            f"response_format.type must be text, json_object or json_schema, not {kind!r:.60}",
            "response_format.type",
        )
    fields = read_object(given, allowed, "response_format", f"a {kind} response_format")
    if kind == "json_schema":
        where = "response_format.json_schema"
        schema = read_object(fields.get("json_schema"), _SCHEMA_TYPES, where, "a json_schema")
        json_schema(schema, where)
        required_string(schema, "name", where)
        fields["json_schema"] = schema
    return fields


def json_schema(fields: dict[str, Any], where: str) -> None:
    """Refuse a structured-output format whose ``name``, ``description``, ``schema`` or ``strict`` is
    not of OpenAI's type."""
    check_types(fields, _SCHEMA_TYPES, f"{where}.")


def _message(message: Message) -> dict[str, Any]:
    out = message.to_openai()
    out.setdefault("content", None)
    return out


def extras(response: ChatResponse) -> dict[str, Any]:
    """What OpenAI's format has no field for: the model that answered, the cost, the attempts."""
    return {
        "model": response.model,
        "cost_usd": response.cost_usd,
        "cached": response.cached,
        # an attempt's detail quotes the provider, which may name internal hosts: the server log has it
        "attempts": [a.model_dump(exclude_none=True, exclude={"detail"}) for a in response.attempts],
    }


def envelope(kind: str, object_id: str, model: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields every chat chunk and text completion starts with (``kind`` is OpenAI's ``object``)."""
    return {"id": object_id, "object": kind, "created": int(time.time()), "model": model, "choices": choices}


def new_id(prefix: str, separator: str = "-") -> str:
    """An id as OpenAI writes them: ``chatcmpl-…`` and ``cmpl-…``; the Responses API's ``resp_…``."""
    return f"{prefix}{separator}{uuid.uuid4().hex}"


def _base64(vector: list[float]) -> str:
    """As OpenAI sends it: the vector's little-endian float32 bytes, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
