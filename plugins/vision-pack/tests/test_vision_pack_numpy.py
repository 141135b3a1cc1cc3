"""numpy arrays: grey, RGB and RGBA pixels in the usual dtypes; other shapes refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest
from llm_resolver_vision_pack import NumpyArrayLoader

from .conftest import context, decode


@pytest.mark.parametrize(
    ("array", "mode", "pixel"),
    [
        (np.full((4, 6), 200, dtype=np.uint8), "L", 200),
        (np.full((4, 6, 1), 90, dtype=np.uint8), "L", 90),
        (np.full((4, 6, 3), (1, 2, 3), dtype=np.uint8), "RGB", (1, 2, 3)),
        (np.full((4, 6, 4), (9, 8, 7, 255), dtype=np.uint8), "RGBA", (9, 8, 7, 255)),
        (np.full((4, 6, 3), 0.5, dtype=np.float32), "RGB", (128, 128, 128)),
        (np.ones((4, 6), dtype=bool), "L", 255),
    ],
)
def test_arrays_become_images(array: np.ndarray, mode: str, pixel: object) -> None:
    (part,) = NumpyArrayLoader().load(array, context())
    media_type, image, _ = decode(part)
    assert media_type == "image/png"
    assert (image.size, image.mode) == ((6, 4), mode)
    assert image.getpixel((0, 0)) == pixel


def test_other_ranges_are_stretched_from_min_to_max() -> None:
    heights = np.array([[-200, 0], [400, 800]], dtype=np.int16)
    (part,) = NumpyArrayLoader().load(heights, context())
    _, image, _ = decode(part)
    assert np.asarray(image).tolist() == [[0, 51], [153, 255]]
    flat = np.full((2, 2), 7.5)
    assert np.asarray(decode(NumpyArrayLoader().load(flat, context())[0])[1]).max() == 0


def test_large_arrays_shrink_to_the_providers_side() -> None:
    (part,) = NumpyArrayLoader().load(
        np.zeros((3000, 1500, 3), dtype=np.uint8), context("anthropic/claude-haiku-4-5")
    )
    assert decode(part)[1].size == (784, 1568)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (
            np.zeros((4, 4, 2), dtype=np.uint8),
            r"shaped \(height, width\) or \(height, width, 1\|3\|4\), got \(4, 4, 2\)",
        ),
        (np.zeros(16, dtype=np.uint8), r"got \(16,\)"),
        (np.zeros((2, 2, 2, 3), dtype=np.uint8), r"got \(2, 2, 2, 3\)"),
        (np.zeros((0, 4), dtype=np.uint8), "the array is empty"),
        (np.array([[np.nan, 1.0]]), "NaN or infinite"),
        (np.array([["a", "b"]]), "holds numbers, not <U1"),
    ],
)
def test_arrays_that_are_not_images_are_refused(array: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NumpyArrayLoader().load(array, context())


def test_accepts_only_arrays() -> None:
    loader = NumpyArrayLoader()
    assert loader.accepts(np.zeros((1, 1)))
    assert not loader.accepts([[0, 0]])
    assert not loader.accepts(b"")
