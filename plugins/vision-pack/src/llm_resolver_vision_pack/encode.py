"""Fitting a PIL image to the providers' limits: shrink to the longest side worth sending, then encode
losslessly if that fits the byte budget, else as JPEG at falling quality, shrinking further if needed."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from llm_resolver import ImagePart, LoadContext
from llm_resolver.vision import to_data_url

# The byte budget is the base64 size: some providers measure the encoded string, which is 4/3 larger.
_BASE64_RATIO = 3 / 4
_JPEG_QUALITIES = (85, 70, 55)
_SHRINK = 0.75
_MAX_ROUNDS = 12
_HIGH_DEPTH_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


class ImageFitError(ValueError):
    """The image cannot be made to fit the limits (it would have to shrink to nothing)."""


def fit_image(image: Image.Image, context: LoadContext) -> ImagePart:
    """An ``ImagePart`` of ``image`` within ``context``'s side, size and format limits."""
    image = normalise_mode(image)
    image = shrink_to(image, context.max_side)
    budget = int(context.limits.max_bytes * _BASE64_RATIO)
    for _ in range(_MAX_ROUNDS):
        encoded = _smallest_fitting(image, context, budget)
        if encoded is not None:
            data, media_type = encoded
            return ImagePart(url=to_data_url(data, media_type), detail=context.detail)
        width, height = image.size
        if min(width, height) <= 16:
            break
        image = shrink_to(image, int(max(width, height) * _SHRINK))
    raise ImageFitError(
        f"cannot encode a {image.width}x{image.height} image under {budget} bytes for {context.limits.provider}"
    )


def normalise_mode(image: Image.Image) -> Image.Image:
    """Convert to a mode PNG and JPEG can hold: L, LA, RGB or RGBA (deep images are rescaled, not clipped)."""
    if image.mode in {"L", "LA", "RGB", "RGBA"}:
        return image
    if image.mode == "1":
        return image.convert("L")
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode == "PA":
        return image.convert("RGBA")
    if image.mode in _HIGH_DEPTH_MODES:
        return Image.fromarray(to_uint8(np.asarray(image)))
    return image.convert("RGB")


def to_uint8(values: np.ndarray) -> np.ndarray:
    """Pixels as 8-bit: 0..1 floats are scaled by 255, other ranges stretched from their min to max."""
    if values.dtype == np.uint8:
        return values
    if values.dtype == np.bool_:
        return values.astype(np.uint8) * 255
    data = values.astype(np.float64)
    if not np.isfinite(data).all():
        raise ValueError("the pixels contain NaN or infinite values")
    low, high = float(data.min()), float(data.max())
    if np.issubdtype(values.dtype, np.floating) and low >= 0.0 and high <= 1.0:
        return np.rint(data * 255).astype(np.uint8)
    if high == low:
        return np.zeros(values.shape, dtype=np.uint8)
    return np.rint((data - low) * (255 / (high - low))).astype(np.uint8)


def shrink_to(image: Image.Image, max_side: int) -> Image.Image:
    longest = max(image.size)
    if longest <= max_side:
        return image
    scale = max_side / longest
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reducing_gap: shrink by whole factors first (fast), then resample the rest with Lanczos.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _smallest_fitting(image: Image.Image, context: LoadContext, budget: int) -> tuple[bytes, str] | None:
    """PNG if it fits (it is lossless), else the first JPEG quality that fits; None if none does."""
    allowed = context.limits.media_types
    if "image/png" in allowed:
        data = _encode(image, "PNG", compress_level=6)
        if len(data) <= budget:
            return data, "image/png"
    if "image/jpeg" in allowed:
        flat = _flatten(image)
        for quality in _JPEG_QUALITIES:
            data = _encode(flat, "JPEG", quality=quality, optimize=True)
            if len(data) <= budget:
                return data, "image/jpeg"
    if "image/png" not in allowed and "image/jpeg" not in allowed:
        raise ImageFitError(f"{context.limits.provider} accepts neither PNG nor JPEG ({sorted(allowed)})")
    return None


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG has no alpha: composite onto white."""
    if image.mode not in {"LA", "RGBA"}:
        return image
    background = Image.new("RGB", image.size, "white")
    background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
    return background


def _encode(image: Image.Image, format: str, **options: int | bool) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()
