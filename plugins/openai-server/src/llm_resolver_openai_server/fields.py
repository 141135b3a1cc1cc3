"""Reading a JSON body against an allow-list, with OpenAI's own type rules, into one-sentence errors.

Every route's body goes through ``read_fields``: each field is one the route acts on, one it knowingly
ignores (named in the ``x-llm-resolver-ignored`` response header), or refused by name, so nothing a
client sends reaches LiteLLM unread. ``null`` means unset. Types are checked as OpenAI checks them
(``"0.5"`` is not a number, ``true`` is not an integer), because pydantic's lax mode would accept them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sized
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


def read_object(
    value: Any, allowed: Collection[str], where: str, what: str, empty: Collection[str] = ()
) -> dict[str, Any]:
    """The fields ``value`` sets (``null``: unset), every one among ``allowed``: what sits inside a body
    is an allow-list like the body, refused by its path (``tools[0].function.api_base``), never passed
    on or dropped unread. ``empty``: fields the openai SDK sends back unset as ``[]`` or ``""`` (an
    earlier reply's ``annotations``); taken only so, refused by name when they carry a value."""
    if not isinstance(value, dict):
        raise WireError(f"{where} must be an object", where)
    out: dict[str, Any] = {}
    for name, item in value.items():
        if item is None or (name in empty and item in ("", [], {})):
            continue
        if name in empty:
            raise WireError(
                f"{where}.{name} is taken only when empty (null or []): this server does not act on it; "
                "remove it",
                f"{where}.{name}",
            )
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise WireError(
                f"{where}.{name} is not a field of {what}; remove it (it takes: {known})", f"{where}.{name}"
            )
        out[name] = item
    return out


def of_type(value: Any, kind: str, where: str, hint: str) -> None:
    """Refuse ``value`` unless it is an object whose ``type`` is ``kind`` (checked before its fields, so
    a hosted tool is refused by its type, not by its first unknown field)."""
    if not isinstance(value, dict):
        raise WireError(f"{where} must be an object", where)
    found = value.get("type")
    if found != kind:
        raise WireError(f"{where}: type {found!r:.60} is not taken; {hint}", f"{where}.type")


def required_string(fields: Mapping[str, Any], name: str, where: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str):
        raise WireError(f"{where}.{name} must be a string", f"{where}.{name}")
    return value


def at_most(items: Sized, limit: int, where: str, what: str) -> None:
    """Refuse a list longer than ``limit``: each item is read, validated and its tokens counted on the
    event loop, so one body of a million tiny items would stall every other request for seconds."""
    if len(items) > limit:
        raise WireError(f"{where} holds {len(items)} {what}; this server takes at most {limit}", where)


def at_most_in_all(groups: Iterable[Any], limit: int, where: str, what: str) -> None:
    """``at_most`` over the lists among ``groups`` together (the parts of all messages: a per-message
    cap alone still lets 2048 messages of 256 parts each through)."""
    total = sum(len(group) for group in groups if isinstance(group, list))
    if total > limit:
        raise WireError(f"{where} hold {total} {what} in all; this server takes at most {limit}", where)


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
