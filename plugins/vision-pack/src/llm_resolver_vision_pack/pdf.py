"""PDF pages rendered to images with pypdfium2, at the resolution the providers' limits make worthwhile.

PDFium is not thread-safe, so every use of it here holds one process-wide lock.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

PDF_MAGIC = b"%PDF-"
MAX_PAGES = 20
# Never render finer than 300 dpi: PDF units are 1/72 inch.
MAX_SCALE = 300 / 72

PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True)
class PdfPages:
    """A PDF (path, bytes or ``pypdfium2.PdfDocument``) and which of its pages to send.

    ``pages`` are page numbers as people count them (1 is the first); ``None`` sends every page, up to
    ``max_pages`` (a longer document is refused rather than silently cut).
    """

    source: str | os.PathLike[str] | bytes | Any
    pages: Sequence[int] | None = None
    max_pages: int = MAX_PAGES
    password: str | None = None

    def __repr__(self) -> str:
        return f"PdfPages(source=<{type(self.source).__name__}>, pages={self.pages!r})"


def is_pdf_file(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(PDF_MAGIC)) == PDF_MAGIC
    except OSError:
        return False


@dataclass(frozen=True)
class RenderedPage:
    number: int
    total: int
    image: Image.Image


def render(selection: PdfPages, max_side: int) -> list[RenderedPage]:
    """Render the selected pages so their longest side is about ``max_side`` pixels."""
    with PDFIUM_LOCK, _document(selection) as document:
        total = len(document)
        numbers = _page_numbers(selection, total)
        rendered = []
        for number in numbers:
            page = document[number - 1]
            try:
                rendered.append(RenderedPage(number, total, render_page(page, max_side)))
            finally:
                page.close()
        return rendered


def render_page(page: Any, max_side: int) -> Image.Image:
    with PDFIUM_LOCK:
        width, height = page.get_size()
        scale = min(MAX_SCALE, max_side / max(width, height, 1.0))
        bitmap = page.render(scale=scale)
        try:
            image: Image.Image = bitmap.to_pil()
            return image.copy()
        finally:
            bitmap.close()


@contextmanager
def _document(selection: PdfPages) -> Iterator[Any]:
    """The selection's document; one opened here is closed afterwards, one handed in is left open."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # here: registering the loader is not using it

    source = selection.source
    if isinstance(source, pdfium.PdfDocument):
        yield source
        return
    if isinstance(source, bytes | bytearray | memoryview):
        source = bytes(source)
    elif isinstance(source, str | os.PathLike):
        source = str(Path(source))
    else:
        raise ValueError(
            f"a PDF source is a path, bytes or a pypdfium2.PdfDocument, not {type(source).__name__}"
        )
    try:
        document = pdfium.PdfDocument(source, password=selection.password)
    except pdfium.PdfiumError as exc:
        raise ValueError(f"cannot open the PDF: {exc}") from None
    try:
        yield document
    finally:
        document.close()


def _page_numbers(selection: PdfPages, total: int) -> list[int]:
    if selection.pages is None:
        if total > selection.max_pages:
            raise ValueError(
                f"the PDF has {total} pages, over the limit of {selection.max_pages}; choose pages with "
                "PdfPages(source, pages=[1, 2, ...]) or raise max_pages"
            )
        return list(range(1, total + 1))
    numbers = list(selection.pages)
    wrong = [n for n in numbers if not isinstance(n, int) or not 1 <= n <= total]
    if wrong:
        raise ValueError(f"page numbers {wrong} are not in 1..{total}")
    if len(numbers) > selection.max_pages:
        raise ValueError(f"{len(numbers)} pages selected, over the limit of {selection.max_pages}")
    return numbers
