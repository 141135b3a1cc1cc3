"""Vision inputs for llm-resolver: PIL images, numpy arrays and PDF pages as message images, fitted to
each provider's limits. Installed, it registers the ``vision`` plugin; nothing needs importing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_resolver.plugins import lazy_exports

if TYPE_CHECKING:
    from llm_resolver_vision_pack.encode import ImageFitError, fit_image
    from llm_resolver_vision_pack.loaders import NumpyArrayLoader, PdfLoader, PilImageLoader
    from llm_resolver_vision_pack.pdf import PdfPages

__all__ = ["ImageFitError", "NumpyArrayLoader", "PdfLoader", "PdfPages", "PilImageLoader", "fit_image"]
# Loaded on first use: the entry point (.plugin) imports this package; numpy and Pillow are slow to import.
__getattr__ = lazy_exports(
    __name__,
    {
        "ImageFitError": "encode",
        "fit_image": "encode",
        "NumpyArrayLoader": "loaders",
        "PdfLoader": "loaders",
        "PilImageLoader": "loaders",
        "PdfPages": "pdf",
    },
)
