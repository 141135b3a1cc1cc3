"""Run before every request: load deferred sources, then hold every image to the allowed remote hosts and
the providers' limits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llm_resolver.errors import LLMBadRequestError, PluginError
from llm_resolver.redaction import redact
from llm_resolver.types.messages import DeferredPart, ImagePart, Message, TextPart
from llm_resolver.types.request import ChatRequest
from llm_resolver.vision.images import MB, ImageLimits, check_image_url, limits_for_models
from llm_resolver.vision.loader import ContentLoader, LoadContext
from llm_resolver.vision.registry import content_loaders
from llm_resolver.vision.settings import VisionConfig

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager

Part = TextPart | ImagePart | DeferredPart


def prepare_content(
    request: ChatRequest, plugins: PluginManager | None, models: Sequence[str], vision: VisionConfig
) -> ChatRequest:
    """The request with deferred sources loaded, every remote image URL checked against
    ``vision.allow_remote`` and every image against the limits of each model it may reach; unchanged
    (the same object) when it carries no content parts."""
    if not any(isinstance(m.content, list) for m in request.messages):
        return request
    limits = limits_for_models(models)
    loaders: dict[str, ContentLoader] | None = None
    inline = 0
    changed = False
    messages: list[Message] = []
    for index, message in enumerate(request.messages):
        if not isinstance(message.content, list):
            messages.append(message)
            continue
        parts: list[Part] = []
        deferred = False
        for part in message.content:
            if isinstance(part, DeferredPart):
                deferred = True
                if loaders is None:
                    loaders = content_loaders(plugins)
                loaded = _load(part, loaders, LoadContext(limits, part.detail, tuple(models)))
            else:
                loaded = [part]
            for item in loaded:
                if isinstance(item, ImagePart):
                    where = f"the image in message {index} ({item.media_type or item.url[:60]})"
                    if not item.url.startswith("data:"):
                        vision.check_remote_url(item.url, where=where)
                    inline += check_image_url(item.url, limits, where=where)
            parts.extend(loaded)
        messages.append(message.model_copy(update={"content": parts}) if deferred else message)
        changed = changed or deferred
    _check_request_size(inline, limits)
    return request.model_copy(update={"messages": messages}) if changed else request


def _load(part: DeferredPart, loaders: dict[str, ContentLoader], context: LoadContext) -> list[Part]:
    source = part.source
    for name, loader in loaders.items():
        try:
            if not loader.accepts(source):
                continue
            loaded = list(loader.load(source, context))
        except LLMBadRequestError:
            raise
        except Exception as exc:
            raise LLMBadRequestError(
                f"content loader {name!r} could not load {_kind(source)}: "
                f"{type(exc).__name__}: {redact(str(exc))[:300]}"
            ) from exc
        for item in loaded:
            if not isinstance(item, TextPart | ImagePart):
                raise PluginError(
                    f"content loader {name!r} returned a {type(item).__name__}; loaders return TextPart "
                    "and ImagePart objects",
                    plugin=name.split(".", 1)[0],
                )
        return [_with_detail(item, part.detail) for item in loaded]
    known = ", ".join(loaders) or "none are installed"
    raise LLMBadRequestError(
        f"no content loader accepts {_kind(source)} (loaders: {known}); pass a path, bytes, a data URL or "
        "an http(s) URL, install a plugin that loads it (llm-resolver-vision-pack loads PIL images, "
        "arrays and PDFs), or register one through register_content_loaders"
    )


def _with_detail(part: Part, detail: str) -> Part:
    """The caller's ``detail`` applies to every image a loader made, unless the loader chose one."""
    if isinstance(part, ImagePart) and part.detail == "auto" and detail != "auto":
        return part.model_copy(update={"detail": detail})
    return part


def _kind(source: object) -> str:
    if isinstance(source, str):
        return f"the string {redact(source[:60])!r}"
    if isinstance(source, bytes | bytearray | memoryview):
        return f"bytes starting {bytes(source[:8])!r} (not a PNG, JPEG, GIF or WebP image)"
    if isinstance(source, Path):
        return f"the file {str(source)[:120]!r} (not a PNG, JPEG, GIF or WebP image)"
    kind = type(source)
    return f"a {kind.__module__}.{kind.__qualname__}"


def _check_request_size(inline: int, limits: ImageLimits) -> None:
    if limits.max_request_bytes is not None and inline > limits.max_request_bytes:
        raise LLMBadRequestError(
            f"the request carries {inline / MB:.1f} MB of inline images, over the "
            f"{limits.max_request_bytes / MB:.0f} MB allowed per request {limits.scope}; "
            "send fewer or smaller images, or https URLs"
        )
