"""OpenAI's Responses API (``POST /v1/responses``) over a chat request: the subset the openai SDK's
``responses.create``/``responses.stream`` and ``openai-agents`` (on its default path) use.

Input is text or a list of items (messages, ``function_call``, ``function_call_output``); tools are
function tools; ``text.format`` carries structured output. The server keeps no state, so
``previous_response_id`` and ``conversation`` are refused with what to send instead. Every item, part,
tool, ``tool_choice`` and ``text.format`` is an allow-list like the chat body's, capped in number as it
is (``wire.MAX_MESSAGES``)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from llm_resolver import ChatChunk, ChatRequest, ChatResponse, Usage
from llm_resolver_openai_server.errors import HttpError
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
)
from llm_resolver_openai_server.sse import event
from llm_resolver_openai_server.wire import (
    MAX_MESSAGES,
    MAX_PARTS,
    MAX_PER_MESSAGE,
    MAX_TOOLS,
    chat_request,
    extras,
    function_definition,
    json_schema,
    new_id,
)

_TYPES = {
    "input": "string_or_array",
    "instructions": "string",
    "stream": "boolean",
    "parallel_tool_calls": "boolean",
    "temperature": "number",
    "top_p": "number",
    "max_output_tokens": "integer",
    "user": "string",
    "tools": "array",
    "text": "object",
    "reasoning": "object",
}
_TAKEN = frozenset({"model", *_TYPES, "tool_choice"})
# Storage, billing, caching and tracing hints of OpenAI's own service: they change nothing in the answer.
_IGNORED = frozenset(
    {
        "store",
        "metadata",
        "service_tier",
        "prompt_cache_key",
        "prompt_cache_retention",
        "safety_identifier",
        "truncation",
        "include",
    }
)
_STATELESS = "this server stores nothing between requests; send the whole conversation as input"
_REFUSED = {
    "previous_response_id": f"previous_response_id is not taken: {_STATELESS}",
    "conversation": f"conversation is not taken: {_STATELESS}",
    "prompt": "prompt (a stored prompt template) is not taken; send instructions and input instead",
    "background": "background is not taken: this server answers while the request is open",
}
_ITEM_FIELDS = {
    "message": frozenset({"type", "role", "content", "id", "status"}),
    "function_call": frozenset({"type", "call_id", "name", "arguments", "id", "status"}),
    "function_call_output": frozenset({"type", "call_id", "output", "id", "status"}),
}
_ROLES = ("user", "system", "developer", "assistant")
_TEXT_PARTS = ("input_text", "output_text")
_PART_FIELDS = {
    "input_text": ("type", "text"),
    "output_text": ("type", "text"),
    "refusal": ("type", "refusal"),
    "input_image": ("type", "image_url", "detail"),
}
# What an earlier reply's output_text holds besides, as the SDKs send it back: empty.
_OUTPUT_EMPTY = ("annotations", "logprobs")
_TOOL_FIELDS = ("type", "name", "description", "parameters", "strict")
_SCHEMA_FIELDS = ("type", "name", "schema", "strict", "description")


@dataclass(frozen=True)
class ResponsesCall:
    model: str
    request: ChatRequest
    stream: bool
    echo: dict[str, Any]  # the request's settings, as a Response object repeats them
    ignored: tuple[str, ...]


def responses_call(body: Any) -> ResponsesCall:
    fields, ignored = read_fields(body, _TAKEN, _IGNORED, _REFUSED)
    model = model_name(fields)
    if not isinstance(fields.get("input"), str | list):
        raise WireError("input is required: a string, or a list of input items", "input")
    check_types(fields, {k: v for k, v in _TYPES.items() if v != "string_or_array"})
    instructions = fields.get("instructions")
    messages = ([{"role": "system", "content": instructions}] if instructions else []) + _messages(
        fields["input"]
    )
    same: dict[str, Any] = {k: fields[k] for k in ("temperature", "top_p") if k in fields}
    if "max_output_tokens" in fields:
        same["max_tokens"] = fields["max_output_tokens"]
    given_tools = fields.get("tools") or []
    at_most(given_tools, MAX_TOOLS, "tools", "tools")
    tools = [_tool(t, i) for i, t in enumerate(given_tools)]
    if tools:
        same["tools"] = tools
    if "tool_choice" in fields:
        same["tool_choice"] = _tool_choice(fields["tool_choice"])
    text_format = _text_format(fields.get("text"))
    if text_format is not None:
        same["response_format"] = text_format
    if isinstance(fields.get("text"), dict) and fields["text"].get("verbosity") is not None:
        ignored = (*ignored, "text.verbosity")
    passed = {k: fields[k] for k in ("parallel_tool_calls",) if k in fields}
    effort = _reasoning_effort(fields.get("reasoning"))
    if effort is not None:
        passed["reasoning_effort"] = effort
    request = chat_request(messages, same, passed, fields.get("user"))
    echo = {
        "instructions": instructions,
        "tools": fields.get("tools") or [],
        "tool_choice": fields.get("tool_choice", "auto"),
        "parallel_tool_calls": fields.get("parallel_tool_calls", True),
        "temperature": fields.get("temperature"),
        "top_p": fields.get("top_p"),
        "max_output_tokens": fields.get("max_output_tokens"),
        "text": fields.get("text") or {"format": {"type": "text"}},
        "reasoning": fields.get("reasoning"),
    }
    return ResponsesCall(model, request, fields.get("stream", False), echo, ignored)


def response_body(response: ChatResponse, call: ResponsesCall, response_id: str) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    if response.text:
        output.append(_message_item(new_id("msg", "_"), response.text, "completed"))
    for tool_call in response.tool_calls:
        arguments = json.dumps(tool_call.arguments, separators=(",", ":"))
        output.append(_call_item(new_id("fc", "_"), tool_call.id, tool_call.name, arguments, "completed"))
    return {
        **_skeleton(call, response_id, _status(response.finish_reason)),
        "output": output,
        "usage": _usage(response.usage),
        "llm_resolver": extras(response),
    }


class ResponseEvents:
    """A chat stream's chunks as the Responses API's events, in the order the SDKs' stream state
    machines expect: created, in_progress, per item added → deltas → done, then completed (or failed)."""

    def __init__(self, call: ResponsesCall) -> None:
        self._call = call
        self._id = new_id("resp", "_")
        self._sequence = 0
        self._items: list[dict[str, Any]] = []
        self._text: dict[str, Any] | None = None  # the message item being streamed
        self._calls: dict[int, dict[str, Any]] = {}  # function_call items by the chunk's tool index

    def start(self) -> list[bytes]:
        skeleton = {**_skeleton(self._call, self._id, "in_progress"), "output": [], "usage": None}
        return [
            self._event("response.created", response=skeleton),
            self._event("response.in_progress", response=skeleton),
        ]

    def chunk(self, chunk: ChatChunk) -> list[bytes]:
        out: list[bytes] = []
        if chunk.text:
            if self._text is None:
                out += self._close_calls()
                self._text = _message_item(new_id("msg", "_"), "", "in_progress")
                out += self._add(self._text)
                part = {"type": "output_text", "text": "", "annotations": []}
                out.append(self._event("response.content_part.added", **self._at(self._text), part=part))
            self._text["content"][0]["text"] += chunk.text
            out.append(
                self._event(
                    "response.output_text.delta", **self._at(self._text), delta=chunk.text, logprobs=[]
                )
            )
        for delta in chunk.tool_calls:
            item = self._calls.get(delta.index)
            if item is None:
                out += self._close_text()
                item = self._calls[delta.index] = _call_item(
                    new_id("fc", "_"), delta.id or new_id("call", "_"), delta.name or "", "", "in_progress"
                )
                out += self._add(item)
            if delta.arguments:
                item["arguments"] += delta.arguments
                out.append(
                    self._event(
                        "response.function_call_arguments.delta",
                        item_id=item["id"],
                        output_index=self._items.index(item),
                        delta=delta.arguments,
                    )
                )
        return out

    def complete(self, response: ChatResponse) -> list[bytes]:
        out = self._close_text() + self._close_calls()
        final = {
            **_skeleton(self._call, self._id, _status(response.finish_reason)),
            "output": self._items,
            "usage": _usage(response.usage),
            "llm_resolver": extras(response),
        }
        return [*out, self._event("response.completed", response=final)]

    def failed(self, error: HttpError) -> bytes:
        """The last event when the call fails after the stream began: the response, failed, with the
        error's code and message."""
        final = {
            **_skeleton(self._call, self._id, "failed"),
            "output": self._items,
            "usage": None,
            "error": {"code": error.code or error.type, "message": error.message},
        }
        return self._event("response.failed", response=final)

    def _add(self, item: dict[str, Any]) -> list[bytes]:
        self._items.append(item)
        shown = {**item, "content": []} if item["type"] == "message" else item
        return [self._event("response.output_item.added", output_index=len(self._items) - 1, item=shown)]

    def _close_text(self) -> list[bytes]:
        item, self._text = self._text, None
        if item is None:
            return []
        item["status"] = "completed"
        part = item["content"][0]
        return [
            self._event("response.output_text.done", **self._at(item), text=part["text"], logprobs=[]),
            self._event("response.content_part.done", **self._at(item), part=part),
            self._event("response.output_item.done", output_index=self._items.index(item), item=item),
        ]

    def _close_calls(self) -> list[bytes]:
        out: list[bytes] = []
        for item in self._calls.values():
            item["status"] = "completed"
            index = self._items.index(item)
            out.append(
                self._event(
                    "response.function_call_arguments.done",
                    item_id=item["id"],
                    output_index=index,
                    name=item["name"],
                    arguments=item["arguments"],
                )
            )
            out.append(self._event("response.output_item.done", output_index=index, item=item))
        self._calls = {}
        return out

    def _at(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"item_id": item["id"], "output_index": self._items.index(item), "content_index": 0}

    def _event(self, kind: str, **fields: Any) -> bytes:
        self._sequence += 1
        return event({"type": kind, "sequence_number": self._sequence, **fields}, kind)


def _skeleton(call: ResponsesCall, response_id: str, status: str) -> dict[str, Any]:
    incomplete = {"reason": "max_output_tokens"} if status == "incomplete" else None
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": call.model,
        "error": None,
        "incomplete_details": incomplete,
        "metadata": {},
        **call.echo,
    }


def _status(finish_reason: str | None) -> str:
    return "incomplete" if finish_reason == "length" else "completed"


def _usage(usage: Usage) -> dict[str, Any]:
    return {
        "input_tokens": usage.prompt_tokens,
        "output_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens},
        "output_tokens_details": {"reasoning_tokens": 0},
    }


def _message_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id,
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def _call_item(item_id: str, call_id: str, name: str, arguments: str, status: str) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": item_id,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": status,
    }


def _messages(given: str | list[Any]) -> list[dict[str, Any]]:
    """Input items as chat messages: consecutive function calls (and the assistant text before them)
    become one assistant message with tool calls, as chat models expect."""
    if isinstance(given, str):
        return [{"role": "user", "content": given}]
    if not given:
        raise WireError("input must not be an empty list", "input")
    at_most(given, MAX_MESSAGES, "input", "items")
    lists = (i.get(k) for i in given if isinstance(i, dict) for k in ("content", "output"))
    at_most_in_all(lists, MAX_PARTS, "input", "content parts")
    out: list[dict[str, Any]] = []
    for index, given_item in enumerate(given):
        where = f"input[{index}]"
        if not isinstance(given_item, dict):
            raise WireError(f"{where} must be an object", where)
        kind = given_item.get("type") or "message"
        allowed = _ITEM_FIELDS.get(kind) if isinstance(kind, str) else None
        if allowed is None:
            raise WireError(
                f"{where}: items of type {kind!r:.60} are not taken; send message, function_call or "
                "function_call_output items",
                f"{where}.type",
            )
        item = read_object(given_item, allowed, where, f"a {kind} item")
        if kind == "message":
            out.append(_message(item, where))
        elif kind == "function_call":
            call = {
                "id": required_string(item, "call_id", where),
                "type": "function",
                "function": {
                    "name": required_string(item, "name", where),
                    "arguments": required_string(item, "arguments", where),
                },
            }
            previous = out[-1] if out else None
            if previous is not None and previous["role"] == "assistant":
                previous.setdefault("tool_calls", []).append(call)
            else:
                out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        else:
            output = item.get("output")
            if isinstance(output, list):
                output = _text_of(output, f"{where}.output")
            if not isinstance(output, str):
                raise WireError(f"{where}.output must be a string", f"{where}.output")
            out.append(
                {"role": "tool", "tool_call_id": required_string(item, "call_id", where), "content": output}
            )
    return out


def _message(item: dict[str, Any], where: str) -> dict[str, Any]:
    role = item.get("role")
    if role not in _ROLES:
        raise WireError(f"{where}.role must be one of {', '.join(_ROLES)}, not {role!r:.60}", f"{where}.role")
    role = "system" if role == "developer" else role
    content = item.get("content")
    if isinstance(content, str):
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise WireError(f"{where}.content must be a string or a list of parts", f"{where}.content")
    if role != "user":
        return {"role": role, "content": _text_of(content, f"{where}.content")}
    at_most(content, MAX_PER_MESSAGE, f"{where}.content", "content parts")
    parts: list[dict[str, Any]] = []
    for number, given in enumerate(content):
        at = f"{where}.content[{number}]"
        kind = given.get("type") if isinstance(given, dict) else None
        if kind not in (*_TEXT_PARTS, "input_image"):
            raise WireError(
                f"{at}: type {kind!r:.60} is not taken; send input_text parts, or input_image parts with "
                "an image_url",
                f"{at}.type",
            )
        part = _part(given, kind, at)
        if kind == "input_image":
            image = {"url": required_string(part, "image_url", at)}
            if "detail" in part:
                image["detail"] = required_string(part, "detail", at)
            parts.append({"type": "image_url", "image_url": image})
        else:
            parts.append({"type": "text", "text": required_string(part, "text", at)})
    return {"role": role, "content": parts}


def _part(part: dict[str, Any], kind: str, where: str) -> dict[str, Any]:
    empty = _OUTPUT_EMPTY if kind == "output_text" else ()
    return read_object(part, _PART_FIELDS[kind], where, f"an {kind} part", empty=empty)


def _text_of(parts: list[Any], where: str) -> str:
    at_most(parts, MAX_PER_MESSAGE, where, "content parts")
    texts = []
    for number, part in enumerate(parts):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in (*_TEXT_PARTS, "refusal"):
            raise WireError(f"{where}[{number}]: only text parts are taken here", f"{where}[{number}]")
        fields = _part(part, kind, f"{where}[{number}]")
        texts.append(
            required_string(fields, "refusal" if kind == "refusal" else "text", f"{where}[{number}]")
        )
    return "".join(texts)


def _tool(tool: Any, index: int) -> dict[str, Any]:
    where = f"tools[{index}]"
    of_type(tool, "function", where, "this server takes function tools")
    fields = read_object(tool, _TOOL_FIELDS, where, "a function tool")
    function = {k: v for k, v in fields.items() if k != "type"}
    return {"type": "function", "function": function_definition(function, where)}


def _tool_choice(choice: Any) -> Any:
    if choice in ("auto", "none", "required"):
        return choice
    if not isinstance(choice, dict):
        raise WireError(
            'tool_choice must be "auto", "none", "required" or {"type": "function", "name": ...}',
            "tool_choice",
        )
    of_type(choice, "function", "tool_choice", "this server takes function tool choices")
    fields = read_object(choice, ("type", "name"), "tool_choice", "a tool choice")
    return {"type": "function", "function": {"name": required_string(fields, "name", "tool_choice")}}


def _text_format(text: dict[str, Any] | None) -> dict[str, Any] | None:
    """``text.format`` as the chat ``response_format``: text (None), json_object or json_schema, with
    OpenAI's fields only (``text.verbosity`` is accepted and named as ignored)."""
    if text is None:
        return None
    form = read_object(text, ("format", "verbosity"), "text", "text").get("format")
    if form is None:
        return None
    kind = form.get("type") if isinstance(form, dict) else None
    if kind in ("text", "json_object"):
        read_object(form, ("type",), "text.format", f"a {kind} format")
        return None if kind == "text" else {"type": "json_object"}
    if kind != "json_schema":
        raise WireError("text.format.type must be text, json_object or json_schema", "text.format.type")
    fields = read_object(form, _SCHEMA_FIELDS, "text.format", "a json_schema format")
    json_schema(fields, "text.format")
    if not isinstance(fields.get("schema"), dict):
        raise WireError("text.format.schema must be a JSON schema object", "text.format.schema")
    schema = {k: v for k, v in fields.items() if k != "type"}
    return {"type": "json_schema", "json_schema": {"name": "response", **schema}}


def _reasoning_effort(reasoning: dict[str, Any] | None) -> Any:
    if reasoning is None:
        return None
    extra = sorted(k for k, v in reasoning.items() if k != "effort" and v is not None)
    if extra:
        raise WireError(
            f"reasoning.{extra[0]} is not taken; this server takes reasoning.effort", f"reasoning.{extra[0]}"
        )
    return reasoning.get("effort")
