"""Vision inputs: the sources every install understands, the content-loader contract plugins implement
for other sources, the image limits of each provider, and which hosts remote image URLs may name."""

from llm_resolver.vision.images import (
    DEFAULT_LIMITS,
    PROVIDER_LIMITS,
    ImageLimits,
    limits_for,
    sniff_media_type,
    to_data_url,
)
from llm_resolver.vision.loader import ContentLoader, LoadContext
from llm_resolver.vision.settings import VisionConfig

__all__ = [
    "DEFAULT_LIMITS",
    "PROVIDER_LIMITS",
    "ContentLoader",
    "ImageLimits",
    "LoadContext",
    "VisionConfig",
    "limits_for",
    "sniff_media_type",
    "to_data_url",
]
