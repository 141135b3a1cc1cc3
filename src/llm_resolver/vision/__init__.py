"""Vision inputs: the sources every install understands, the content-loader contract plugins implement
for other sources, the image limits of each provider, and which hosts remote image URLs may name."""

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
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

# Each name is imported from its module on first access: importing one of this package's modules
# (a registry, say) does not import all of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "DEFAULT_LIMITS": "images",
        "PROVIDER_LIMITS": "images",
        "ContentLoader": "loader",
        "ImageLimits": "images",
        "LoadContext": "loader",
        "VisionConfig": "settings",
        "limits_for": "images",
        "sniff_media_type": "images",
        "to_data_url": "images",
    },
)
