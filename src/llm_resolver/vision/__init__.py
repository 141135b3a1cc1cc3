"""Vision inputs: the sources every install understands, the content-loader contract plugins implement
for other sources, and the image limits of each provider."""

from llm_resolver.vision.images import (
    DEFAULT_LIMITS,
    PROVIDER_LIMITS,
    ImageLimits,
    limits_for,
    sniff_media_type,
    to_data_url,
)
from llm_resolver.vision.loader import ContentLoader, LoadContext

__all__ = [
    "DEFAULT_LIMITS",
    "PROVIDER_LIMITS",
    "ContentLoader",
    "ImageLimits",
    "LoadContext",
    "limits_for",
    "sniff_media_type",
    "to_data_url",
]
