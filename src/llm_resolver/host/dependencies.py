"""Dependencies: the host's map of name → DependencySpec, resolved per scope and injected by name."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from llm_resolver.errors import SpecError
from llm_resolver.host.depends import declared
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resolution.resolver import DependencyResolver
from llm_resolver.resolution.scope import Scope
from llm_resolver.resolution.spec import DependencySpec

R = TypeVar("R")


class Dependencies:
    """Resolvers are built once per name (lazily, thread-safe); each memoises its object per scope."""

    def __init__(self, specs: Mapping[str, DependencySpec], *, plugins: PluginManager | None = None) -> None:
        self.specs = dict(specs)
        self._plugins = plugins
        self._resolvers: dict[str, DependencyResolver[Any]] = {}
        self._lock = threading.Lock()

    # Loading -------------------------------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        plugins: PluginManager | None = None,
    ) -> Dependencies:
        """``{name: {class_name, properties}}``, optionally under a top-level ``dependencies`` key.

        ``${VAR}`` references in properties are filled in when the dependency is first resolved."""
        if set(data) == {"dependencies"} and isinstance(data["dependencies"], Mapping):
            data = data["dependencies"]
        specs = {}
        for name, raw in data.items():
            if not isinstance(raw, Mapping):
                raise SpecError(f"{name}: expected a mapping with class_name and properties", field=str(name))
            try:
                specs[str(name)] = DependencySpec.model_validate(dict(raw))
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in (name, *err["loc"]))
                raise SpecError(f"{where}: {err['msg']}", field=where) from None
        return cls(specs, plugins=plugins)

    @classmethod
    def from_yaml(cls, source: str | Path, **kw: Any) -> Dependencies:
        """A path to a YAML file, or YAML text."""
        text = _read(source)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecError(f"dependencies: not valid YAML: {exc}") from None
        return cls.from_dict(_mapping(data), **kw)

    @classmethod
    def from_json(cls, source: str | Path, **kw: Any) -> Dependencies:
        text = _read(source)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"dependencies: not valid JSON: {exc}") from None
        return cls.from_dict(_mapping(data), **kw)

    # Resolving -----------------------------------------------------------------------------------

    def resolver(self, name: str) -> DependencyResolver[Any]:
        try:
            return self._resolvers[name]
        except KeyError:
            pass
        if name not in self.specs:
            raise SpecError(
                f"no dependency named {name!r}; declared: {', '.join(sorted(self.specs)) or 'none'}",
                field=name,
            )
        with self._lock:
            if name not in self._resolvers:
                self._resolvers[name] = self.specs[name].to_resolver(self._plugins)
            return self._resolvers[name]

    def get(self, name: str, scope: Scope | None = None) -> Any:
        return self.resolver(name).get_or_resolve(scope)

    async def aget(self, name: str, scope: Scope | None = None) -> Any:
        return await self.resolver(name).aresolve(scope)

    def call(self, handler: Callable[..., R], *args: Any, scope: Scope | None = None, **kwargs: Any) -> R:
        """Call a sync handler with its declared dependencies injected by parameter name."""
        injected = {name: self.get(name, scope) for name in self._wanted(handler, kwargs)}
        return handler(*args, **kwargs, **injected)

    async def acall(
        self, handler: Callable[..., Any], *args: Any, scope: Scope | None = None, **kwargs: Any
    ) -> Any:
        """Call a sync or async handler; an async one is awaited, a sync one runs as it is."""
        injected = {name: await self.aget(name, scope) for name in self._wanted(handler, kwargs)}
        result = handler(*args, **kwargs, **injected)
        if inspect.isawaitable(result):
            return await result
        return result

    def _wanted(self, handler: Callable[..., Any], given: Mapping[str, Any]) -> list[str]:
        names = declared(handler)
        params = inspect.signature(handler).parameters
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        for name in names:
            if name not in self.specs:
                raise SpecError(
                    f"{getattr(handler, '__qualname__', handler)} depends on {name!r}, which is not declared; "
                    f"declared: {', '.join(sorted(self.specs)) or 'none'}",
                    field=name,
                )
            if name not in params and not takes_kwargs:
                raise SpecError(
                    f"{getattr(handler, '__qualname__', handler)} depends on {name!r} but has no parameter "
                    "of that name",
                    field=name,
                )
        return [n for n in names if n not in given]

    def __repr__(self) -> str:
        return f"Dependencies({self.specs!r})"


def _read(source: str | Path) -> str:
    if isinstance(source, Path) or ("\n" not in source and Path(source).is_file()):
        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(f"dependencies: cannot read {str(source)!r} ({exc.strerror})") from None
    return source


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SpecError(f"dependencies: expected a mapping of name → spec, got {type(data).__name__}")
    return data
