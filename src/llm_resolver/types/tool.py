"""A tool the model may call: a name, a JSON schema, and the function that runs it.

``@tool`` (``llm_resolver.tools``) builds these from typed functions, with a pydantic model that
validates arguments; a hand-made ``Tool`` without one passes arguments through as they are.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from llm_resolver.errors import LLMBadRequestError

_WIRE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_MAX_WIRE_NAME = 64


class ToolArgumentsError(LLMBadRequestError):
    """Arguments that do not match a tool's parameters; ``problems`` lists each one."""

    def __init__(self, message: str, *, tool: str, problems: list[str]) -> None:
        super().__init__(message)
        self.tool = tool
        self.problems = problems


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    function: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    arguments_model: type[BaseModel] | None = field(default=None, compare=False, repr=False)

    @property
    def wire_name(self) -> str:
        """The name the model sees: providers allow ``[A-Za-z0-9_-]{1,64}``, so ``calc.evaluate`` is sent
        as ``calc_evaluate``."""
        return _WIRE_UNSAFE.sub("_", self.name)[:_MAX_WIRE_NAME]

    @property
    def is_async(self) -> bool:
        fn = self.function
        call = type(fn).__call__ if fn is not None and not inspect.isroutine(fn) else None
        return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(call)

    def validate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments to call the function with, checked and converted to its parameter types."""
        if self.arguments_model is None:
            return dict(arguments)
        try:
            validated = self.arguments_model.model_validate(dict(arguments))
        except ValidationError as exc:
            problems = [_problem(e) for e in exc.errors()]
            raise ToolArgumentsError(
                f"invalid arguments for tool {self.name!r}: {'; '.join(problems)}",
                tool=self.name,
                problems=problems,
            ) from None
        fields = type(validated).model_fields
        return {(info.alias or name): getattr(validated, name) for name, info in fields.items()}

    def invoke(self, arguments: Mapping[str, Any]) -> Any:
        """Validate ``arguments`` and run the function (an awaitable comes back for an async one)."""
        if self.function is None:
            raise LLMBadRequestError(f"tool {self.name!r} has no function to run; it can only be offered")
        return self.function(**self.validate(arguments))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the tool like the function it wraps, with its arguments validated."""
        if args:
            names = list(self.parameters.get("properties", {}))
            if len(args) > len(names):
                raise ToolArgumentsError(
                    f"tool {self.name!r} takes {len(names)} arguments, got {len(args)} positional",
                    tool=self.name,
                    problems=[f"{len(args)} positional arguments for {len(names)} parameters"],
                )
            clash = [n for n in names[: len(args)] if n in kwargs]
            if clash:
                raise ToolArgumentsError(
                    f"tool {self.name!r} got {clash} both by position and by name",
                    tool=self.name,
                    problems=[f"{n}: given twice" for n in clash],
                )
            kwargs = {**dict(zip(names, args, strict=False)), **kwargs}
        return self.invoke(kwargs)

    def to_openai(self) -> dict[str, Any]:
        function: dict[str, Any] = {"name": self.wire_name, "parameters": self.parameters}
        if self.description:
            function["description"] = self.description
        return {"type": "function", "function": function}


def _problem(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "arguments"
    shown = repr(error.get("input"))
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    if error["type"] in {"missing", "extra_forbidden"}:
        return f"{where}: {error['msg']}"
    return f"{where}: {error['msg']} (got {shown})"
