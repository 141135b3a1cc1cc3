"""Vision inputs for llm-resolver: PIL images, numpy arrays and PDF pages as message images, fitted to
each provider's limits. Installed, it registers the ``vision`` plugin; nothing needs importing."""

from llm_resolver_vision_pack.encode import ImageFitError, fit_image
from llm_resolver_vision_pack.loaders import NumpyArrayLoader, PdfLoader, PilImageLoader
from llm_resolver_vision_pack.pdf import PdfPages

__all__ = ["ImageFitError", "NumpyArrayLoader", "PdfLoader", "PdfPages", "PilImageLoader", "fit_image"]
