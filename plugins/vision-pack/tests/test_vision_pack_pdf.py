"""PDFs: pages rendered with pypdfium2 at the size the provider takes, labelled, chosen, and bounded."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from llm_resolver_vision_pack import PdfLoader, PdfPages

from llm_resolver import TextPart

from .conftest import COLOURS, context, decode, make_pdf

RGB = {"red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255)}


def colour_of(part: object) -> tuple[int, int, int]:
    _, image, _ = decode(part)
    pixel = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
    return pixel  # type: ignore[return-value]


def assert_colour(part: object, name: str) -> None:
    assert all(abs(a - b) <= 3 for a, b in zip(colour_of(part), RGB[name], strict=True))


def test_every_page_becomes_a_labelled_image() -> None:
    parts = PdfLoader().load(make_pdf(), context())
    labels = [p.text for p in parts if isinstance(p, TextPart)]
    assert labels == ["[PDF page 1 of 3]", "[PDF page 2 of 3]", "[PDF page 3 of 3]"]
    images = parts[1::2]
    for part, colour in zip(images, COLOURS, strict=True):
        assert_colour(part, colour)


def test_pages_render_at_the_providers_size_but_never_above_300_dpi() -> None:
    big = make_pdf(["red"], size=(1200, 1800))  # 16.7 x 25 inches
    (part,) = PdfLoader().load(big, context("anthropic/claude-haiku-4-5"))
    width, height = decode(part)[1].size
    assert height == 1568
    assert abs(width - 1045) <= 1
    (small,) = PdfLoader().load(make_pdf(["red"], size=(72, 36)), context())
    assert decode(small)[1].size == (300, 150)  # one inch by half an inch at 300 dpi
    (low,) = PdfLoader().load(big, context(detail="low"))
    assert max(decode(low)[1].size) == 512


def test_paths_documents_and_pages_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf())
    loader = PdfLoader()

    assert loader.accepts(path)
    assert loader.accepts(make_pdf())
    assert loader.accepts(PdfPages(path))
    assert not loader.accepts(tmp_path / "missing.pdf")
    assert not loader.accepts(b"GIF89a")
    assert len(loader.load(path, context())) == 6

    document = pdfium.PdfDocument(make_pdf())
    try:
        assert loader.accepts(document)
        assert loader.accepts(document[1])
        assert len(loader.load(document, context())) == 6
        (page,) = loader.load(document[1], context())
        assert_colour(page, "green")
        assert len(document) == 3  # a document handed in is left open
    finally:
        document.close()


def test_pdf_pages_chooses_pages_by_number() -> None:
    parts = PdfLoader().load(PdfPages(make_pdf(), pages=[3, 1]), context())
    assert [p.text for p in parts if isinstance(p, TextPart)] == ["[PDF page 3 of 3]", "[PDF page 1 of 3]"]
    assert_colour(parts[1], "blue")
    (single,) = PdfLoader().load(PdfPages(make_pdf(), pages=[2]), context())
    assert_colour(single, "green")


def test_long_documents_and_wrong_pages_are_refused() -> None:
    loader = PdfLoader()
    with pytest.raises(
        ValueError, match="the PDF has 3 pages, over the limit of 2; choose pages with PdfPages"
    ):
        loader.load(PdfPages(make_pdf(), max_pages=2), context())
    with pytest.raises(ValueError, match=r"page numbers \[0, 4\] are not in 1..3"):
        loader.load(PdfPages(make_pdf(), pages=[0, 1, 4]), context())
    with pytest.raises(ValueError, match="cannot open the PDF"):
        loader.load(b"%PDF-1.7 but nothing after", context())
    with pytest.raises(ValueError, match=r"a PDF source is a path, bytes or a pypdfium2\.PdfDocument"):
        loader.load(PdfPages(42), context())
