"""``@tool``: a typed, documented function (sync or async) → a ``Tool`` with a JSON schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, overload

from llm_resolver.tools.schema import argument_fields, fields_model
from llm_resolver.types.tool import Tool

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@overload
def tool(function: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    function: Callable[..., Any] | None = None, /, *, name: str | None = None, description: str | None = None
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Make a tool of a function: ``@tool`` or ``@tool(name=..., description=...)``.

    The schema comes from the type hints (defaults make a parameter optional; ``Literal`` and ``Enum``
    become enums; pydantic models nested objects); descriptions from ``Annotated[x, "text"]`` or the
    docstring's ``Args:`` section, the tool's own from the docstring text before its sections. The
    result is still callable like the function, with its arguments validated.
    """
    if function is not None:
        return as_tool(function)

    def decorate(fn: Callable[..., Any]) -> Tool:
        return as_tool(fn, name=name, description=description)

    return decorate


def as_tool(
    function: Callable[..., Any] | Tool, *, name: str | None = None, description: str | None = None
) -> Tool:
    """A ``Tool`` for ``function`` (a ``Tool`` is returned as it is unless renamed or redescribed)."""
    if isinstance(function, Tool):
        if name is None and description is None:
            return function
        return Tool(
            name=name or function.name,
            description=function.description if description is None else description,
            parameters=function.parameters,
            function=function.function,
            arguments_model=function.arguments_model,
        )
    return tool_builder(function, name=name, description=description)[1]()


def tool_builder(
    function: Callable[..., Any], *, name: str | None = None, description: str | None = None
) -> tuple[str, Callable[[], Tool]]:
    """Check ``function`` as a tool now (its name, signature and type hints: ``TypeError`` /
    ``ValueError``) and return the tool's name and what builds its ``Tool``, which raises
    ``TypeError`` for a type without a JSON schema. Plugin tools are built when a config names them."""
    if not callable(function):
        raise TypeError(f"a tool must be a function or a Tool, got {type(function).__name__}")
    tool_name = name or getattr(function, "__name__", None) or type(function).__name__
    if not _NAME.match(tool_name):
        raise ValueError(
            f"tool name {tool_name!r} must be 1-64 letters, digits, '_', '-' or '.'; pass name=... to @tool"
        )
    arguments = argument_fields(function, tool_name)

    def build() -> Tool:
        # the docstring is read here, with the schema: resolving need not import its parser
        from llm_resolver.tools.docstrings import parse_docstring

        doc = parse_docstring(getattr(function, "__doc__", None))
        model, schema = fields_model(arguments, tool_name, doc.params)
        return Tool(
            name=tool_name,
            description=doc.description if description is None else description,
            parameters=schema,
            function=function,
            arguments_model=model,
        )

    return tool_name, build
