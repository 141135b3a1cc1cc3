"""How a response model reaches the wire: a native JSON-schema ``response_format`` where the model
supports it, else the schema in a system message (prompted JSON). Decided per target, so a fallback
without native support still gets the schema."""

from __future__ import annotations

import json
import re
from typing import Any, TypeGuard

from pydantic import BaseModel, ValidationError

from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.types.messages import Message, Role
from llm_resolver.types.request import ChatRequest

_MAX_ERRORS = 10


def is_response_model(value: object) -> TypeGuard[type[BaseModel]]:
    return isinstance(value, type) and issubclass(value, BaseModel)


def response_format(model: type[BaseModel]) -> dict[str, Any]:
    """Non-strict: strict mode refuses common pydantic schemas (defaults, free-form dicts); the reply
    is validated here anyway."""
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", model.__name__)[:64]
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "schema": model.model_json_schema(), "strict": False},
    }


def instructions(model: type[BaseModel]) -> str:
    schema = json.dumps(model.model_json_schema(), separators=(",", ":"))
    return (
        "Reply with a single JSON value that conforms to this JSON schema, and nothing else "
        f"(no prose, no code fences):\n{schema}"
    )


def feedback(problem: str) -> str:
    return (
        f"Your previous reply could not be used: {problem}. Reply again with only the corrected JSON, "
        "conforming to the schema."
    )


def describe(error: ValidationError) -> str:
    """The validation errors as ``field: reason`` lines the model can act on."""
    lines = []
    for item in error.errors()[:_MAX_ERRORS]:
        where = ".".join(str(p) for p in item["loc"]) or "(the whole value)"
        lines.append(f"{where}: {item['msg']}")
    more = error.error_count() - _MAX_ERRORS
    if more > 0:
        lines.append(f"... and {more} more")
    return "it does not match the schema (" + "; ".join(lines) + ")"


def wire_request(request: ChatRequest, model: str, catalog: ModelCatalog) -> ChatRequest:
    """``request`` as sent to ``model``: a response model becomes a native format or instructions."""
    wanted = request.response_format
    if not is_response_model(wanted):
        return request
    if catalog.supports(model, "response_schema"):
        return request.model_copy(update={"response_format": response_format(wanted)})
    messages = list(request.messages)
    leading = next((i for i, m in enumerate(messages) if m.role != Role.SYSTEM), len(messages))
    messages.insert(leading, Message.system(instructions(wanted)))
    return request.model_copy(update={"response_format": None, "messages": messages})
