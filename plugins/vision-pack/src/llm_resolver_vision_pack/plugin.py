"""The ``vision`` plugin: registers the PIL, numpy and PDF content loaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llm_resolver import hookimpl


@hookimpl
def register_content_loaders(register: Callable[[Any], None]) -> None:
    # imported here, not at load: the loaders use the message types (pydantic), which --help does not
    from llm_resolver_vision_pack.loaders import NumpyArrayLoader, PdfLoader, PilImageLoader

    register(PilImageLoader())
    register(NumpyArrayLoader())
    register(PdfLoader())
