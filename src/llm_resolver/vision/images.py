"""Image bytes: format sniffing, data URLs, and the size, format and URL limits each provider sets.

Nothing here reads a file or fetches a URL; it only looks at bytes and strings it is handed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from llm_resolver.errors import LLMBadRequestError

MB = 1024 * 1024
STANDARD_MEDIA_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
# data:<type>/<subtype>[;param=value]*;base64,<payload>
_DATA_URL = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)(?:;[\w.+-]+=[\w.+-]+)*;base64,", re.ASCII)
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


@dataclass(frozen=True)
class ImageLimits:
    """What one provider accepts for an inline image, and how remote URLs must look to reach it untouched.

    ``max_side`` is the longest side loaders should scale to: providers shrink larger images themselves,
    so sending more pixels only costs bandwidth. ``https_only`` and ``url_needs_extension`` mirror when
    LiteLLM would otherwise download a remote URL inside this process instead of passing it on.
    """

    max_bytes: int = 20 * MB
    max_side: int = 2048
    media_types: frozenset[str] = STANDARD_MEDIA_TYPES
    max_request_bytes: int | None = None
    https_only: bool = False
    url_needs_extension: bool = False
    provider: str = "default"

    @property
    def scope(self) -> str:
        """How messages name these limits: "for anthropic", "for anthropic+openai", "by default"."""
        return "by default" if self.provider == "default" else f"for {self.provider}"

    def merge(self, other: ImageLimits) -> ImageLimits:
        """The strictest of both, for a request that may reach either provider (a fallback chain)."""
        if other == self:
            return self
        request = [b for b in (self.max_request_bytes, other.max_request_bytes) if b is not None]
        return ImageLimits(
            max_bytes=min(self.max_bytes, other.max_bytes),
            max_side=min(self.max_side, other.max_side),
            media_types=self.media_types & other.media_types,
            max_request_bytes=min(request) if request else None,
            https_only=self.https_only or other.https_only,
            url_needs_extension=self.url_needs_extension or other.url_needs_extension,
            provider="+".join(sorted({*self.provider.split("+"), *other.provider.split("+")})),
        )


# A frozen value, not state: what applies when no provider's limits are known.
DEFAULT_LIMITS = ImageLimits()

# Per-provider limits, from each provider's documentation.
PROVIDER_LIMITS: dict[str, ImageLimits] = {
    "openai": ImageLimits(max_bytes=20 * MB, max_side=2048, provider="openai"),
    "anthropic": ImageLimits(max_bytes=5 * MB, max_side=1568, https_only=True, provider="anthropic"),
    "gemini": ImageLimits(
        max_bytes=20 * MB,
        max_side=3072,
        media_types=frozenset({"image/png", "image/jpeg", "image/webp"}),
        max_request_bytes=20 * MB,
        https_only=True,
        url_needs_extension=True,
        provider="gemini",
    ),
}
_PROVIDER_ALIASES = {"azure": "openai", "azure_ai": "openai", "vertex_ai": "gemini"}
# Longest side OpenAI uses for ``detail="low"``; loaders may shrink to it.
LOW_DETAIL_SIDE = 512


def limits_for(model: str) -> ImageLimits:
    """The limits of the provider behind ``model`` (``provider/name`` or a bare, well-known name)."""
    provider, _, name = model.rpartition("/")
    lowered = name.lower()
    if "claude" in lowered:
        return PROVIDER_LIMITS["anthropic"]
    if "gemini" in lowered:
        return PROVIDER_LIMITS["gemini"]
    provider = provider.split("/", 1)[0].lower()
    provider = _PROVIDER_ALIASES.get(provider, provider)
    if not provider and lowered.startswith(("gpt-", "chatgpt", "o1", "o3", "o4")):
        provider = "openai"
    return PROVIDER_LIMITS.get(provider, DEFAULT_LIMITS)


def limits_for_models(models: Iterable[str]) -> ImageLimits:
    limits: ImageLimits | None = None
    for model in models:
        limits = limits_for(model) if limits is None else limits.merge(limits_for(model))
    return limits or DEFAULT_LIMITS


def sniff_media_type(data: bytes) -> str | None:
    """The image type the bytes start with (PNG, JPEG, GIF, WebP), or None."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def to_data_url(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


@dataclass(frozen=True)
class DataUrl:
    media_type: str
    size: int


def parse_data_url(url: str) -> DataUrl | None:
    """Media type and decoded size of a base64 data URL (without decoding it), or None if malformed."""
    match = _DATA_URL.match(url)
    if match is None:
        return None
    start = match.end()
    length = len(url) - start
    padding = url.count("=", max(start, len(url) - 2))
    return DataUrl(match["type"].lower(), max(0, length * 3 // 4 - padding))


def data_url_problem(url: str) -> str | None:
    """What is wrong with an image data URL, saying what to change; None when it is well formed.

    Strict base64 (the standard alphabet, padded, no line breaks): what every provider decodes. A
    payload LiteLLM cannot decode fails inside it, and would be reported as the provider's fault.
    """
    match = _DATA_URL.match(url)
    if match is None:
        return "a data URL must look like data:image/png;base64,<payload>"
    if not match["type"].lower().startswith("image/"):
        return (
            f"the data URL holds {match['type']}, not an image; send images as data:image/<type>;base64,..."
        )
    payload = url[match.end() :]
    body = payload.rstrip("=")
    bad = _NOT_BASE64.search(body)
    if not payload:
        return "the data URL has no payload; put the base64-encoded image after 'base64,'"
    if bad is not None:
        return (
            f"the data URL's payload is not base64: {bad.group()!r} at offset {bad.start()}; encode the "
            "image with base64.b64encode (standard alphabet, no line breaks or spaces)"
        )
    if len(payload) % 4 or len(payload) - len(body) > 2:
        return (
            "the data URL's base64 payload is cut short or badly padded (its length must be a multiple "
            "of 4); encode the whole image with base64.b64encode"
        )
    return None


def check_image_url(url: str, limits: ImageLimits, *, where: str) -> int:
    """Raise ``LLMBadRequestError`` saying what to change if ``limits`` refuse the image; return its
    inline size in bytes (0 for a remote URL)."""
    if url.startswith("data:"):
        parsed = parse_data_url(url)
        if parsed is None:
            raise LLMBadRequestError(f"{where}: a data URL must look like data:image/png;base64,<payload>")
        if parsed.media_type not in limits.media_types:
            raise LLMBadRequestError(
                f"{where} is {parsed.media_type}, not a format allowed {limits.scope} "
                f"({', '.join(sorted(limits.media_types))}); convert it to one of them"
            )
        if parsed.size > limits.max_bytes:
            raise LLMBadRequestError(
                f"{where} is {parsed.size / MB:.1f} MB, over the {limits.max_bytes / MB:.0f} MB allowed per "
                f"image {limits.scope}; downscale or re-encode it (the vision pack does this for PIL images, "
                "arrays and PDF pages)"
            )
        return parsed.size
    if url.startswith(("http://", "https://")):
        if limits.https_only and url.startswith("http://"):
            raise LLMBadRequestError(
                f"{where}: only https image URLs are allowed {limits.scope} (an http URL would be "
                "downloaded inside this process); use https or pass the image's bytes"
            )
        if limits.url_needs_extension and not urlparse(url).path.lower().endswith(_IMAGE_EXTENSIONS):
            raise LLMBadRequestError(
                f"{where}: image URLs are allowed {limits.scope} only when their path ends in "
                f"{', '.join(_IMAGE_EXTENSIONS)} (others would be downloaded inside this process); "
                "pass the image's bytes instead"
            )
        return 0
    raise LLMBadRequestError(f"{where}: only data URLs and http(s) URLs are images we can send")
