"""Reading a JSON body against an allow-list, with OpenAI's own type rules, into one-sentence errors.

Every route's body goes through ``read_fields``: each field is one the route acts on, one it knowingly
ignores (named in the ``x-llm-resolver-ignored`` response header), or refused by name, so nothing a
client sends reaches LiteLLM unread. ``null`` means unset. Types are checked as OpenAI checks them
(``"0.5"`` is not a number, ``true`` is not an integer), because pydantic's lax mode would accept them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError


class WireError(ValueError):
    """A request this server cannot take; ``param`` names the field, as OpenAI's errors do."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def read_fields(
    body: Any, taken: frozenset[str], ignored: frozenset[str], refused: Mapping[str, str]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The fields ``body`` sets (``null``: unset) among ``taken``, and those it sets among ``ignored``;
    any other field is refused by name."""
    if not isinstance(body, dict):
        raise WireError("the body must be a JSON object")
    given = {name: value for name, value in body.items() if value is not None}
    for name in given:
        if name in refused:
            raise WireError(refused[name], name)
        if name not in taken and name not in ignored:
            known = ", ".join(sorted(taken | ignored))
            raise WireError(f"{name!r} is not a field this server takes; remove it (it takes: {known})", name)
    return {k: v for k, v in given.items() if k in taken}, tuple(sorted(k for k in given if k in ignored))


def check_types(fields: Mapping[str, Any], types: Mapping[str, str], where: str = "") -> None:
    """Refuse a field whose JSON type is not the one OpenAI takes: ``types`` maps a field to
    ``"integer"``, ``"number"``, ``"boolean"``, ``"string"``, ``"object"`` or ``"array"``."""
    for name, kind in types.items():
        if name in fields and not _is(fields[name], kind):
            value = fields[name]
            raise WireError(
                f"{where}{name} must be {_ARTICLE[kind]} {kind}, not {_json_type(value)}{_shown(value)}",
                f"{where}{name}",
            )


def model_name(fields: Mapping[str, Any]) -> str:
    model = fields.get("model")
    if not isinstance(model, str) or not model:
        raise WireError(
            "model is required: the name of one of this server's models (GET /v1/models)", "model"
        )
    return model


def validation_error(exc: ValidationError, param: str | None = None) -> WireError:
    """pydantic's first error as one sentence naming the field (never pydantic's multi-line dump with
    its input values and documentation links)."""
    error = exc.errors()[0]
    location, context = error["loc"], error.get("ctx") or {}
    field: str | None
    if location and location[0] == "provider_options":  # the core names the option it refused
        field = str(context.get("key") or context.get("where") or "provider_options").split(".")[0]
    elif param is not None:
        field = param
    else:
        field = str(location[0]) if location else None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location).lstrip(".")
    reason = str(error["msg"]).removeprefix("Value error, ")
    reason = reason[:1].lower() + reason[1:]
    named = where if where and where != "provider_options" else field
    message = f"{named}: {reason}" if named and not reason.startswith(str(named)) else reason
    return WireError(" ".join(message.split())[:500], field)


_ARTICLE = {"integer": "an", "number": "a", "boolean": "a", "string": "a", "object": "an", "array": "an"}


def _is(value: Any, kind: str) -> bool:
    match kind:
        case "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "boolean":
            return isinstance(value, bool)
        case "string":
            return isinstance(value, str)
        case "object":
            return isinstance(value, dict)
        case _:
            return isinstance(value, list)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "the boolean"
    if isinstance(value, int | float):
        return "the number"
    if isinstance(value, str):
        return "the string"
    return "an object" if isinstance(value, dict) else "an array"


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return ""
    text = repr(value) if isinstance(value, str) else str(value).lower()
    return " " + (text if len(text) <= 40 else text[:37] + "...")
