"""The content loaders this pack registers: PIL images, numpy arrays, PDF documents and pages.

``accepts`` only looks at types (and, for a file, its first five bytes), so it is cheap and never raises.
numpy, Pillow and pypdfium2 are imported by ``load``, not here: the plugin registers these loaders
whenever llm-resolver loads its plugins, and a source of their types cannot exist before they are
imported, so ``accepts`` looks for the module in ``sys.modules`` first.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from llm_resolver import ImagePart, LoadContext, TextPart

    Part = TextPart | ImagePart


class PilImageLoader:
    name = "pil"

    def accepts(self, source: object) -> bool:
        image = sys.modules.get("PIL.Image")
        return image is not None and isinstance(source, image.Image)

    def load(self, source: object, context: LoadContext) -> Sequence[Part]:
        from PIL import Image

        from llm_resolver_vision_pack.encode import fit_image

        if not isinstance(source, Image.Image):
            raise TypeError(f"not a PIL image: {type(source).__name__}")
        if source.width < 1 or source.height < 1:
            raise ValueError("the image is empty (0 pixels)")
        return [fit_image(source, context)]


class NumpyArrayLoader:
    """Arrays shaped (height, width) or (height, width, 1|3|4); uint8 as is, 0..1 floats scaled by 255,
    other numbers stretched from their minimum to their maximum."""

    name = "numpy"

    def accepts(self, source: object) -> bool:
        numpy = sys.modules.get("numpy")
        return numpy is not None and isinstance(source, numpy.ndarray)

    def load(self, source: object, context: LoadContext) -> Sequence[Part]:
        import numpy as np
        from PIL import Image

        from llm_resolver_vision_pack.encode import fit_image

        if not isinstance(source, np.ndarray):
            raise TypeError(f"not a numpy array: {type(source).__name__}")
        return [fit_image(Image.fromarray(_pixels(source)), context)]


def _pixels(array: np.ndarray) -> np.ndarray:
    import numpy as np

    from llm_resolver_vision_pack.encode import to_uint8

    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(
            f"an image array is shaped (height, width) or (height, width, 1|3|4), got {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"the array is empty (shape {array.shape})")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise ValueError(f"an image array holds numbers, not {array.dtype}")
    return np.ascontiguousarray(to_uint8(array))


class PdfLoader:
    """PDFs as bytes, as a path to a ``.pdf`` file, as ``PdfPages`` (to pick pages), or as pypdfium2
    documents and pages. A multi-page PDF becomes a "[PDF page n of N]" label and an image per page."""

    name = "pdf"

    def accepts(self, source: object) -> bool:
        # the PDF module is imported by the first look at a source, not when the loader is registered
        from llm_resolver_vision_pack.pdf import PDF_MAGIC, PdfPages, is_pdf_file

        if isinstance(source, PdfPages):
            return True
        if isinstance(source, bytes | bytearray | memoryview):
            return bytes(source[: len(PDF_MAGIC)]) == PDF_MAGIC
        if isinstance(source, Path):
            return is_pdf_file(source)
        module = type(source).__module__
        return module.startswith("pypdfium2") and type(source).__name__ in {"PdfDocument", "PdfPage"}

    def load(self, source: object, context: LoadContext) -> Sequence[Part]:
        from llm_resolver import TextPart  # the message types load with a call, not with the registry
        from llm_resolver_vision_pack.encode import fit_image
        from llm_resolver_vision_pack.pdf import PdfPages, render, render_page

        if type(source).__name__ == "PdfPage" and type(source).__module__.startswith("pypdfium2"):
            return [fit_image(render_page(source, context.max_side), context)]
        selection = source if isinstance(source, PdfPages) else PdfPages(source)
        pages = render(selection, context.max_side)
        if len(pages) == 1:
            return [fit_image(pages[0].image, context)]
        parts: list[Part] = []
        for page in pages:
            parts.append(TextPart(text=f"[PDF page {page.number} of {page.total}]"))
            parts.append(fit_image(page.image, context))
        return parts
