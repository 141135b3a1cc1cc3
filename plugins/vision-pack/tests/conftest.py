"""Helpers for the vision-pack tests: contexts for each provider, and decoding what a loader produced."""

from __future__ import annotations

import base64
import io

from PIL import Image

from llm_resolver import ImagePart, LoadContext
from llm_resolver.vision import ImageLimits, limits_for


def context(model: str = "openai/gpt-4o-mini", detail: str = "auto", **limits: object) -> LoadContext:
    base = limits_for(model)
    chosen = ImageLimits(**{**base.__dict__, **limits}) if limits else base  # type: ignore[arg-type]
    return LoadContext(chosen, detail, (model,))  # type: ignore[arg-type]


def decode(part: object) -> tuple[str, Image.Image, int]:
    """Media type, image and byte size of an image part's data URL."""
    assert isinstance(part, ImagePart)
    header, payload = part.url.split(",", 1)
    data = base64.b64decode(payload)
    image = Image.open(io.BytesIO(data))
    image.load()
    return header[len("data:") : -len(";base64")], image, len(data)


COLOURS = ["red", "green", "blue"]


def make_pdf(colours: list[str] = COLOURS, size: tuple[int, int] = (200, 300)) -> bytes:
    """A PDF with one plain page per colour, written by Pillow (72 dpi: pages are `size` points)."""
    pages = [Image.new("RGB", size, colour) for colour in colours]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def noise(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """An image PNG cannot compress, to push encoders past their byte budget."""
    import numpy as np

    rng = np.random.default_rng(7)
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    pixels = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    return Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels, mode)
