"""A function's parameters → a pydantic model that validates arguments, and the JSON schema the model sees."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import PydanticJsonSchemaWarning

_REF_PREFIX = "#/$defs/"
# Keywords whose values are data, not schemas: never rewritten.
_DATA_KEYWORDS = frozenset({"default", "enum", "const", "examples"})


# A parameter as ``argument_fields`` checked it: (name, type, default or ..., its Annotated description).
Argument = tuple[str, Any, Any, str | None]


def argument_fields(fn: Callable[..., Any], name: str) -> list[Argument]:
    """``fn``'s parameters, with the checks that need no schema done now.

    Raises ``TypeError`` for parameters a model cannot fill (``*args``, ``**kwargs``, positional-only,
    missing type hints); a type without a schema is found by ``fields_model``.
    """
    try:
        signature = inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, ValueError) as exc:
        raise TypeError(
            f"cannot read the signature of tool {name!r}: {exc} (types in hints must be importable from "
            "the function's module)"
        ) from exc
    arguments: list[Argument] = []
    for pname, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise TypeError(
                f"tool {name!r}: parameter {pname!r} is {param.kind.description}; tools take named "
                "parameters only"
            )
        if param.annotation is param.empty:
            raise TypeError(
                f"tool {name!r}: parameter {pname!r} has no type hint; add one so the model knows what to send"
            )
        annotation, description = _split_description(param.annotation)
        default = ... if param.default is param.empty else param.default
        arguments.append((pname, annotation, default, description))
    return arguments


def fields_model(
    arguments: list[Argument], name: str, descriptions: Mapping[str, str]
) -> tuple[type[BaseModel], dict[str, Any]]:
    """The validating model and JSON schema for ``arguments`` (from ``argument_fields``), a parameter's
    description from its ``Annotated`` text or else ``descriptions`` (the docstring's): pydantic's
    schema build, about 2 ms a tool, which is why plugin tools wait for a config that names them.

    Fields are aliased to the parameter names, so parameters called ``json`` or ``schema`` do not
    collide with pydantic's own attributes."""
    fields: dict[str, Any] = {
        f"p{index}": (
            annotation,
            Field(default, alias=pname, description=description or descriptions.get(pname) or None),
        )
        for index, (pname, annotation, default, description) in enumerate(arguments)
    }
    try:
        model = create_model(
            f"{name.replace('.', '_')}_arguments",
            __config__=ConfigDict(extra="forbid", populate_by_name=False),
            **fields,
        )
        with warnings.catch_warnings():
            # A default JSON cannot show is left out of the schema; it still applies when called.
            warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
            schema = model.model_json_schema()
    except Exception as exc:
        raise TypeError(f"tool {name!r}: cannot build a JSON schema for its parameters: {exc}") from exc
    return model, clean_schema(schema)


def _split_description(annotation: Any) -> tuple[Any, str | None]:
    """``Annotated[int, "how many"]`` → ``(int, "how many")``; other metadata (``Field``…) is kept."""
    if get_origin(annotation) is not Annotated:
        return annotation, None
    base, *metadata = get_args(annotation)
    texts = [m for m in metadata if isinstance(m, str)]
    rest = [m for m in metadata if not isinstance(m, str)]
    kept = Annotated[(base, *rest)] if rest else base
    return kept, (" ".join(texts) or None)


def clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Inline ``$defs`` (some providers reject ``$ref``) and drop pydantic's generated titles.

    Recursive types keep their ``$ref`` and ``$defs``; inlining them would never end.
    """
    defs: dict[str, Any] = schema.get("$defs", {})
    recursive: set[str] = set()

    def walk(node: Any, stack: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [walk(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX) and ref[len(_REF_PREFIX) :] in defs:
            target = ref[len(_REF_PREFIX) :]
            if target in stack:
                recursive.add(target)
                return node
            siblings = {k: walk(v, stack) for k, v in node.items() if k != "$ref"}
            return {**walk(defs[target], stack | {target}), **siblings}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$defs" or (key == "title" and isinstance(value, str)):
                continue
            if key in _DATA_KEYWORDS:
                out[key] = value
            elif key == "properties" and isinstance(value, dict):
                out[key] = {prop: walk(sub, stack) for prop, sub in value.items()}
            else:
                out[key] = walk(value, stack)
        return out

    cleaned: dict[str, Any] = walk(schema, frozenset())
    if recursive:
        cleaned["$defs"] = {name: walk(sub, frozenset({name})) for name, sub in defs.items()}
    return cleaned
