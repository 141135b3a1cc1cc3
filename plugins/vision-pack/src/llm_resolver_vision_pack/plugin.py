"""The ``vision`` plugin: registers the PIL, numpy and PDF content loaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llm_resolver import hookimpl
from llm_resolver_vision_pack.loaders import NumpyArrayLoader, PdfLoader, PilImageLoader


@hookimpl
def register_content_loaders(register: Callable[[Any], None]) -> None:
    register(PilImageLoader())
    register(NumpyArrayLoader())
    register(PdfLoader())
