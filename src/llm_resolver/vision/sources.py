"""The sources every install understands: data URLs, http(s) URLs, image bytes and image files.

A file is read only when the caller passed its path; a remote URL is kept as a URL, never fetched.
Anything else is left for the content loaders plugins register.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from llm_resolver.errors import LLMBadRequestError
from llm_resolver.vision.images import DEFAULT_LIMITS, MB, check_image_url, sniff_media_type, to_data_url

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HEAD = 16


def builtin_image(source: object) -> str | Path | None:
    """What the built-in rules make of ``source``.

    Returns an image URL (data or http(s)) for an image; a ``Path`` for an existing file that is not a
    PNG, JPEG, GIF or WebP image (a PDF, say, which a loader may know); ``None`` for a source only a
    loader can handle. Raises ``LLMBadRequestError`` for a path that is not a file or an image over the
    default size limit.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return _from_bytes(bytes(source))
    if isinstance(source, str):
        if source.startswith("data:"):
            if not source.startswith("data:image/"):
                return None
            check_image_url(source, DEFAULT_LIMITS, where="the image data URL")
            return source
        if source.startswith(("http://", "https://")):
            return source
        if _SCHEME.match(source):
            return None
        return _from_file(Path(source), shown=source)
    if isinstance(source, os.PathLike):
        path = Path(os.fspath(source))
        return _from_file(path, shown=str(path))
    return None


def _from_bytes(data: bytes) -> str | None:
    if not data:
        raise LLMBadRequestError("the image is empty (0 bytes); pass the image's content")
    mime = sniff_media_type(data)
    if mime is None:
        return None
    _check_size(len(data), "the image")
    return to_data_url(data, mime)


def _from_file(path: Path, shown: str) -> str | Path:
    name = shown if len(shown) <= 120 else shown[:100] + "..."
    try:
        size = path.stat().st_size
        is_file = path.is_file()
    except (OSError, ValueError):
        is_file = False
    if not is_file:
        raise LLMBadRequestError(
            f"image {name!r} is not a file, a data URL or an http(s) URL; "
            "pass bytes, an existing path, or a URL"
        )
    with path.open("rb") as f:
        mime = sniff_media_type(f.read(_HEAD))
        if mime is None:
            return path
        _check_size(size, f"image file {name!r}")
        f.seek(0)
        data = f.read(DEFAULT_LIMITS.max_bytes + 1)
    _check_size(len(data), f"image file {name!r}")
    return to_data_url(data, mime)


def _check_size(size: int, what: str) -> None:
    if size > DEFAULT_LIMITS.max_bytes:
        raise LLMBadRequestError(
            f"{what} is {size / MB:.1f} MB, over the {DEFAULT_LIMITS.max_bytes / MB:.0f} MB limit; "
            "downscale or re-encode it (the vision pack does this for PIL images, arrays and PDF pages)"
        )
