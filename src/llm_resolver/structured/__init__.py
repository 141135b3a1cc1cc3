"""Structured output: validated pydantic replies, natively or by prompting, with re-asks."""

from typing import TYPE_CHECKING

from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
    from llm_resolver.structured.extract import extract_json
    from llm_resolver.structured.prompting import wire_request
    from llm_resolver.structured.session import acomplete, complete, refuse_in_stream, wanted

__all__ = [
    "acomplete",
    "complete",
    "extract_json",
    "refuse_in_stream",
    "wanted",
    "wire_request",
]

# Each name is imported from its module on first access: importing one of this package's modules
# (a registry, say) does not import all of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "acomplete": "session",
        "complete": "session",
        "extract_json": "extract",
        "refuse_in_stream": "session",
        "wanted": "session",
        "wire_request": "prompting",
    },
)
