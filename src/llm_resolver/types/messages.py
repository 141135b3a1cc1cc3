"""Chat messages: provider-neutral, OpenAI-shaped, convertible to the wire dicts LiteLLM takes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from llm_resolver.errors import LLMBadRequestError
from llm_resolver.vision.images import data_url_problem, parse_data_url
from llm_resolver.vision.sources import builtin_image

# Characters no provider takes: NUL, and surrogates (a lone one is not Unicode; none encodes as UTF-8).
_UNSENDABLE = re.compile("[\x00\ud800-\udfff]")
# Validation context for a provider's reply: taken as sent, see ``Message.from_reply``.
_REPLY = "llm_resolver.reply"
REPLY_CONTEXT = {_REPLY: True}


def text_problem(text: str) -> str | None:
    """What makes ``text`` unsendable (a NUL character, a lone surrogate) and where; None if nothing."""
    found = _UNSENDABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"holds a NUL character (\\x00) at index {found.start()}"
    return (
        f"holds a lone surrogate (U+{ord(found.group()):04X}) at index {found.start()}, which is not valid "
        "Unicode (text decoded with errors='surrogateescape', or a cut emoji)"
    )


def escape_unsendable(text: str) -> str:
    """``text`` with NULs and lone surrogates written as escapes (``\\x00``, ``\\ud800``), for our own
    descriptions of what a tool or model sent: they may show such characters, not carry them."""
    return _UNSENDABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _check_text(value: Any, info: ValidationInfo) -> Any:
    """Refuse unsendable text in what we will send, so it fails here, typed, instead of inside LiteLLM
    (where it becomes a provider-side error that is retried and cools a healthy endpoint down)."""
    if isinstance(info.context, dict) and info.context.get(_REPLY):
        return value
    problem = _find_problem(value)
    if problem is not None:
        raise PydanticCustomError(
            "unsendable_text", "{problem}; remove it or fix the text's source", {"problem": problem}
        )
    return value


def _find_problem(value: Any, where: str = "") -> str | None:
    """The first unsendable text in a string, or in the keys and values of a JSON-like tree."""
    if isinstance(value, str):
        problem = text_problem(value)
        return f"{where} {problem}".lstrip() if problem else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _find_problem(str(key), f"the key {str(key)[:40]!r}") or _find_problem(
                item, f"{where}[{str(key)[:40]!r}]".lstrip()
            )
            if found:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _find_problem(item, f"{where}[{i}]".lstrip())
            if found:
                return found
    return None


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class TextPart(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["text"] = "text"
    text: str

    _check = field_validator("text")(_check_text)


Detail = Literal["auto", "low", "high"]


class ImagePart(BaseModel):
    """An image as a base64 data URL or an http(s) URL; remote URLs are handed on, never fetched."""

    model_config = ConfigDict(frozen=True)

    type: Literal["image"] = "image"
    url: str
    detail: Detail = "auto"

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: str) -> str:
        if url.startswith("data:"):
            problem = data_url_problem(url)
            if problem is not None:
                raise PydanticCustomError("invalid_data_url", "{problem}", {"problem": problem})
        elif not url.startswith(("http://", "https://")):
            raise ValueError(
                f"{url[:40]!r} is not a data URL or an http(s) URL; local files go through "
                "Message.user(text, images=[path])"
            )
        return url

    def __repr__(self) -> str:
        shown = self.url if len(self.url) <= 64 else self.url[:48] + f"...({len(self.url)} chars)"
        return f"ImagePart(url={shown!r}, detail={self.detail!r})"

    @property
    def media_type(self) -> str | None:
        parsed = parse_data_url(self.url)
        return parsed.media_type if parsed is not None else None


class DeferredPart(BaseModel):
    """A source no built-in rule understands (a PIL image, an array, a PDF…), kept as it is.

    The LLM turns it into text and image parts with the content loaders plugins registered, just
    before the request, when it knows which providers' limits apply.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    type: Literal["deferred"] = "deferred"
    source: Any
    detail: Detail = "auto"

    def __repr__(self) -> str:
        kind = type(self.source)
        return f"DeferredPart(source=<{kind.__module__}.{kind.__qualname__}>, detail={self.detail!r})"


ContentPart = Annotated[TextPart | ImagePart | DeferredPart, Field(discriminator="type")]


def content_part(source: object, detail: Detail = "auto") -> ImagePart | DeferredPart:
    """An image part for a path, bytes, data URL or http(s) URL (reading only a file it is pointed at);
    a deferred part for any other source, left to the content loaders."""
    if isinstance(source, ImagePart | DeferredPart):
        return source
    found = builtin_image(source)
    if isinstance(found, str):
        return ImagePart(url=found, detail=detail)
    return DeferredPart(source=source if found is None else found, detail=detail)


class ToolCall(BaseModel):
    """A call the model asked for. ``raw_arguments`` keeps the text when it was not valid JSON."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    raw_arguments: str | None = None

    _check = field_validator("id", "name", "arguments", "raw_arguments")(_check_text)

    @classmethod
    def from_wire(
        cls, id: str, name: str, arguments: str | dict[str, Any] | None, *, reply: bool = False
    ) -> ToolCall:
        """A call from its wire form; ``reply`` for one a provider sent (taken as sent)."""
        return cls.model_validate(_call_fields(id, name, arguments), context=REPLY_CONTEXT if reply else None)

    def to_openai(self) -> dict[str, Any]:
        args = self.raw_arguments if self.raw_arguments is not None else json.dumps(self.arguments)
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": args}}


class Message(BaseModel):
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None

    _check = field_validator("content", "name", "tool_call_id")(_check_text)

    @model_validator(mode="wrap")
    @classmethod
    def _one_clear_error(cls, data: Any, handler: ModelWrapValidatorHandler[Message]) -> Message:
        """One error, the most specific, at a location a user can read (``content[1].url``), instead of
        pydantic's report on every branch of the content union."""
        try:
            return handler(data)
        except ValidationError as exc:
            error = max(exc.errors(), key=lambda e: len(e["loc"]))
            detail = error["msg"].removeprefix("Value error, ")
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError(error["type"], "{detail}", {"detail": detail}),
                        loc=_readable(error["loc"]),
                        input=error["input"],
                    )
                ],
            ) from None

    @model_validator(mode="before")
    @classmethod
    def _accept_openai_shape(cls, data: Any) -> Any:
        """Accept the OpenAI wire dicts users already have (image_url parts, function tool calls)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        content = data.get("content")
        if isinstance(content, list):
            data["content"] = [_part_from_openai(p) for p in content]
        calls = data.get("tool_calls")
        if isinstance(calls, list):
            data["tool_calls"] = [_call_from_openai(c) for c in calls]
        return data

    @classmethod
    def from_reply(cls, text: str | None, tool_calls: list[ToolCall]) -> Message:
        """The assistant message of a provider's reply (its calls from ``ToolCall.from_wire(reply=True)``).

        Taken as sent: what we refuse to send (a NUL, a lone surrogate) is not ours to refuse in an
        answer the provider billed; it is refused if the caller sends it back.
        """
        return cls.model_validate(
            {"role": Role.ASSISTANT, "content": text, "tool_calls": tool_calls}, context=REPLY_CONTEXT
        )

    @classmethod
    def system(cls, text: str) -> Message:
        return cls(role=Role.SYSTEM, content=text)

    @classmethod
    def user(cls, text: str, images: object = None, detail: Detail = "auto") -> Message:
        """A user message; ``images`` is a list (or one) of: paths, bytes, data URLs, http(s) URLs,
        ``ImagePart``s, or any source an installed content loader accepts (a PIL image, an array, a PDF…).
        """
        if images is None:
            return cls(role=Role.USER, content=text)
        sources = list(images) if isinstance(images, list | tuple) else [images]
        if not sources:
            return cls(role=Role.USER, content=text)
        parts: list[TextPart | ImagePart | DeferredPart] = [TextPart(text=text)]
        parts.extend(content_part(src, detail) for src in sources)
        return cls(role=Role.USER, content=list(parts))

    @classmethod
    def assistant(cls, text: str | None = None, tool_calls: list[ToolCall] | None = None) -> Message:
        return cls(role=Role.ASSISTANT, content=text, tool_calls=tool_calls or [])

    @classmethod
    def tool(cls, content: str, tool_call_id: str, name: str | None = None) -> Message:
        return cls(role=Role.TOOL, content=content, tool_call_id=tool_call_id, name=name)

    @property
    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def images(self) -> list[ImagePart]:
        if not isinstance(self.content, list):
            return []
        return [p for p in self.content if isinstance(p, ImagePart)]

    @property
    def deferred(self) -> list[DeferredPart]:
        """Sources still waiting for a content loader."""
        if not isinstance(self.content, list):
            return []
        return [p for p in self.content if isinstance(p, DeferredPart)]

    def to_openai(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role.value}
        if isinstance(self.content, list):
            out["content"] = [_part_to_openai(p) for p in self.content]
        else:
            out["content"] = self.content
        if self.name is not None:
            out["name"] = self.name
        if self.tool_calls:
            out["tool_calls"] = [c.to_openai() for c in self.tool_calls]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        return out


def _readable(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """``('content', 1, 'url')`` for pydantic's ``('content', 'list[…]', 1, 'image', 'url')``: the union
    branch and the part's tag that pydantic puts in a content location are left out."""
    parts = list(loc)
    if parts[:1] == ["content"] and len(parts) > 1 and isinstance(parts[1], str):
        del parts[1]
        if len(parts) > 2 and isinstance(parts[1], int) and isinstance(parts[2], str):
            del parts[2]
    return tuple(parts)


def _part_to_openai(part: TextPart | ImagePart | DeferredPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, DeferredPart):
        raise LLMBadRequestError(
            f"{part!r} has not been loaded yet; send the message through an LLM (which runs the content "
            "loaders) or convert the source to an image yourself"
        )
    return {"type": "image_url", "image_url": {"url": part.url, "detail": part.detail}}


def _part_from_openai(part: Any) -> Any:
    if isinstance(part, dict) and part.get("type") == "image_url":
        image = part.get("image_url")
        if isinstance(image, str):
            return {"type": "image", "url": image}
        if isinstance(image, dict):
            return {"type": "image", "url": image.get("url", ""), "detail": image.get("detail", "auto")}
    return part


def _call_fields(id: str, name: str, arguments: str | dict[str, Any] | None) -> dict[str, Any]:
    """A ``ToolCall``'s fields from the wire: arguments that are not a JSON object kept as raw text."""
    if isinstance(arguments, dict):
        return {"id": id, "name": name, "arguments": arguments}
    text = arguments or ""
    try:
        parsed = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict):
        return {"id": id, "name": name, "arguments": parsed}
    return {"id": id, "name": name, "raw_arguments": text}


def _call_from_openai(call: Any) -> Any:
    if isinstance(call, dict) and isinstance(call.get("function"), dict):
        fn = call["function"]
        return _call_fields(str(call.get("id", "")), str(fn.get("name", "")), fn.get("arguments"))
    return call
