"""Chat messages: provider-neutral, OpenAI-shaped, convertible to the wire dicts LiteLLM takes."""

from __future__ import annotations

import base64
import json
import mimetypes
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from llm_resolver.errors import LLMBadRequestError


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class TextPart(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["text"] = "text"
    text: str


class ImagePart(BaseModel):
    """An image as a data URL or an http(s) URL; remote URLs are handed to the provider, never fetched."""

    model_config = ConfigDict(frozen=True)

    type: Literal["image"] = "image"
    url: str
    detail: Literal["auto", "low", "high"] = "auto"

    def __repr__(self) -> str:
        shown = self.url if len(self.url) <= 64 else self.url[:48] + f"...({len(self.url)} chars)"
        return f"ImagePart(url={shown!r}, detail={self.detail!r})"

    @property
    def media_type(self) -> str | None:
        if self.url.startswith("data:"):
            return self.url[5:].split(";", 1)[0].split(",", 1)[0] or None
        return None


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class ToolCall(BaseModel):
    """A call the model asked for. ``raw_arguments`` keeps the text when it was not valid JSON."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    raw_arguments: str | None = None

    @classmethod
    def from_wire(cls, id: str, name: str, arguments: str | dict[str, Any] | None) -> ToolCall:
        if isinstance(arguments, dict):
            return cls(id=id, name=name, arguments=arguments)
        text = arguments or ""
        try:
            parsed = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            return cls(id=id, name=name, raw_arguments=text)
        if not isinstance(parsed, dict):
            return cls(id=id, name=name, raw_arguments=text)
        return cls(id=id, name=name, arguments=parsed)

    def to_openai(self) -> dict[str, Any]:
        args = self.raw_arguments if self.raw_arguments is not None else json.dumps(self.arguments)
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": args}}


ImageSource = str | bytes | Path | ImagePart


def image_part(source: ImageSource, detail: Literal["auto", "low", "high"] = "auto") -> ImagePart:
    """Turn a URL, data URL, path or raw bytes into an ImagePart (reading only the file it is pointed at)."""
    if isinstance(source, ImagePart):
        return source
    if isinstance(source, bytes):
        return ImagePart(url=_data_url(source, _sniff_mime(source)), detail=detail)
    if isinstance(source, str) and source.startswith(("data:", "http://", "https://")):
        return ImagePart(url=source, detail=detail)
    path = Path(source)
    if not path.is_file():
        raise LLMBadRequestError(
            f"image {str(source)[:120]!r} is not a file, a data URL or an http(s) URL; "
            "pass bytes, an existing path, or a URL"
        )
    data = path.read_bytes()
    mime = _sniff_mime(data) or mimetypes.guess_type(path.name)[0]
    return ImagePart(url=_data_url(data, mime), detail=detail)


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _sniff_mime(data: bytes) -> str | None:
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _data_url(data: bytes, mime: str | None) -> str:
    if mime is None or not mime.startswith("image/"):
        raise LLMBadRequestError(
            "could not recognise the image format (PNG, JPEG, GIF and WebP are supported); "
            "pass a data URL with an explicit media type for other formats"
        )
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


class Message(BaseModel):
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None

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
    def system(cls, text: str) -> Message:
        return cls(role=Role.SYSTEM, content=text)

    @classmethod
    def user(
        cls,
        text: str,
        images: list[ImageSource] | None = None,
        detail: Literal["auto", "low", "high"] = "auto",
    ) -> Message:
        if not images:
            return cls(role=Role.USER, content=text)
        parts: list[TextPart | ImagePart] = [TextPart(text=text)]
        parts.extend(image_part(src, detail) for src in images)
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


def _part_to_openai(part: TextPart | ImagePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    return {"type": "image_url", "image_url": {"url": part.url, "detail": part.detail}}


def _part_from_openai(part: Any) -> Any:
    if isinstance(part, dict) and part.get("type") == "image_url":
        image = part.get("image_url")
        if isinstance(image, str):
            return {"type": "image", "url": image}
        if isinstance(image, dict):
            return {"type": "image", "url": image.get("url", ""), "detail": image.get("detail", "auto")}
    return part


def _call_from_openai(call: Any) -> Any:
    if isinstance(call, dict) and isinstance(call.get("function"), dict):
        fn = call["function"]
        return ToolCall.from_wire(str(call.get("id", "")), str(fn.get("name", "")), fn.get("arguments"))
    return call
