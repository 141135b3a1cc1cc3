"""Structured output: validated pydantic replies, natively or by prompting, with re-asks."""

from llm_resolver.structured.extract import extract_json
from llm_resolver.structured.prompting import wire_request
from llm_resolver.structured.session import acomplete, complete, refuse_in_stream, wanted

__all__ = ["acomplete", "complete", "extract_json", "refuse_in_stream", "wanted", "wire_request"]
