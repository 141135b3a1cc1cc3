"""PIL images: every mode becomes PNG or JPEG, shrunk to the provider's side, squeezed under its bytes."""

from __future__ import annotations

import numpy as np
import pytest
from llm_resolver_vision_pack import ImageFitError, PilImageLoader, fit_image
from PIL import Image

from .conftest import context, decode, noise


def test_small_images_are_sent_losslessly_as_they_are() -> None:
    image = Image.new("RGB", (40, 30), (10, 200, 30))
    (part,) = PilImageLoader().load(image, context(detail="high"))
    media_type, sent, _ = decode(part)
    assert media_type == "image/png"
    assert sent.size == (40, 30)
    assert sent.getpixel((5, 5)) == (10, 200, 30)
    assert part.detail == "high"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("model", "detail", "longest"),
    [
        ("openai/gpt-4o-mini", "auto", 2048),
        ("openai/gpt-4o-mini", "low", 512),
        ("anthropic/claude-haiku-4-5", "auto", 1568),
        ("gemini/gemini-2.5-flash", "auto", 3072),
    ],
)
def test_large_images_shrink_to_the_providers_longest_side(model: str, detail: str, longest: int) -> None:
    image = Image.new("RGB", (3200, 1600), "white")
    (part,) = PilImageLoader().load(image, context(model, detail))
    _, sent, _ = decode(part)
    assert sent.size == (longest, longest // 2)


@pytest.mark.parametrize(
    ("mode", "make", "expected_mode"),
    [
        ("RGBA", lambda: Image.new("RGBA", (8, 8), (255, 0, 0, 128)), "RGBA"),
        ("L", lambda: Image.new("L", (8, 8), 77), "L"),
        ("1", lambda: Image.new("1", (8, 8), 1), "L"),
        ("CMYK", lambda: Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "RGB"),
        ("I;16", lambda: Image.fromarray(np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000), "L"),
        ("F", lambda: Image.fromarray(np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)), "L"),
    ],
)
def test_every_mode_becomes_one_png_can_hold(mode: str, make: object, expected_mode: str) -> None:
    image = make()  # type: ignore[operator]
    (part,) = PilImageLoader().load(image, context())
    media_type, sent, _ = decode(part)
    assert media_type == "image/png"
    assert sent.mode == expected_mode


def test_deep_images_are_stretched_not_clipped() -> None:
    deep = Image.fromarray(np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000)
    (part,) = PilImageLoader().load(deep, context())
    _, sent, _ = decode(part)
    pixels = np.asarray(sent)
    assert pixels.min() == 0
    assert pixels.max() == 255


def test_palette_images_keep_their_transparency() -> None:
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 0, 0, 0, 255, 0])
    image.info["transparency"] = 0
    (part,) = PilImageLoader().load(image, context())
    _, sent, _ = decode(part)
    assert sent.mode == "RGBA"
    assert sent.getpixel((0, 0))[3] == 0


def test_over_the_byte_budget_png_gives_way_to_jpeg() -> None:
    image = noise(400, 400)
    (part,) = PilImageLoader().load(image, context(max_bytes=200_000))
    media_type, sent, size = decode(part)
    assert media_type == "image/jpeg"
    assert sent.size == (400, 400)
    assert size <= 150_000  # three quarters of the limit: the base64 text fits too


def test_when_even_jpeg_is_too_big_the_image_shrinks_until_it_fits() -> None:
    image = noise(400, 400, "RGBA")
    (part,) = PilImageLoader().load(image, context(max_bytes=20_000))
    media_type, sent, size = decode(part)
    assert media_type == "image/jpeg"
    assert sent.mode == "RGB"
    assert sent.width < 400
    assert size <= 15_000


def test_only_the_formats_the_limits_allow_are_produced() -> None:
    image = Image.new("RGB", (10, 10), "blue")
    (part,) = PilImageLoader().load(image, context(media_types=frozenset({"image/jpeg"})))
    assert decode(part)[0] == "image/jpeg"
    with pytest.raises(ImageFitError, match="accepts neither PNG nor JPEG"):
        fit_image(image, context(media_types=frozenset({"image/webp"})))


def test_an_image_that_cannot_fit_says_so() -> None:
    with pytest.raises(ImageFitError, match="cannot encode a"):
        fit_image(noise(64, 64), context(max_bytes=100))


def test_accepts_only_pil_images() -> None:
    loader = PilImageLoader()
    assert loader.accepts(Image.new("RGB", (1, 1)))
    assert not loader.accepts(b"\x89PNG")
    assert not loader.accepts(np.zeros((2, 2)))
