"""Dependencies: the host's map of name → DependencySpec, resolved per scope and injected by name."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from llm_resolver.config.safe_load import check_shape, load_json, load_yaml, read_config_text
from llm_resolver.errors import SpecError
from llm_resolver.host.depends import declared
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resolution.resolver import DependencyResolver
from llm_resolver.resolution.spec import DependencySpec
from llm_resolver.types.scope import Scope

R = TypeVar("R")

_SPEC_FILE_SUFFIXES = (".yaml", ".yml", ".json")


class Dependencies:
    """Resolvers are built once per name (lazily, thread-safe); each memoises its object per scope.

    ``env`` stands in for the process environment when specs are resolved (``${VAR}`` and the
    built-in resolver's environment settings); ``plugins`` for the process-wide plugin manager.
    """

    def __init__(
        self,
        specs: Mapping[str, DependencySpec],
        *,
        plugins: PluginManager | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.specs = dict(specs)
        self._plugins = plugins
        self._env = env
        self._resolvers: dict[str, DependencyResolver[Any]] = {}
        self._lock = threading.Lock()

    # Loading -------------------------------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        plugins: PluginManager | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Dependencies:
        """``{name: {class_name, properties}}``, optionally under a top-level ``dependencies`` key.

        ``${VAR}`` references in properties are filled in when the dependency is first resolved."""
        check_shape(data, "dependencies")
        if set(data) == {"dependencies"} and isinstance(data["dependencies"], Mapping):
            data = data["dependencies"]
        specs = {}
        for name, raw in data.items():
            if not isinstance(raw, Mapping):
                raise SpecError(
                    f"{name}: expected a mapping with class_name and properties, not a {type(raw).__name__}",
                    field=str(name),
                )
            try:
                specs[str(name)] = DependencySpec.model_validate(dict(raw))
            except ValidationError as exc:
                raise _spec_error(str(name), exc) from None
        return cls(specs, plugins=plugins, env=env)

    @classmethod
    def from_yaml(cls, source: str | Path, **kw: Any) -> Dependencies:
        """A path to a YAML file, or YAML text."""
        text, where = _read(source)
        return cls.from_dict(_mapping(load_yaml(text, where)), **kw)

    @classmethod
    def from_json(cls, source: str | Path, **kw: Any) -> Dependencies:
        """A path to a JSON file, or JSON text."""
        text, where = _read(source)
        return cls.from_dict(_mapping(load_json(text, where)), **kw)

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
                self._resolvers[name] = self.specs[name].to_resolver(self._plugins, self._env)
            return self._resolvers[name]

    def get(self, name: str, scope: Scope | None = None) -> Any:
        return self.resolver(name).get_or_resolve(scope)

    async def aget(self, name: str, scope: Scope | None = None) -> Any:
        return await self.resolver(name).aresolve(scope)

    def call(self, handler: Callable[..., R], *args: Any, scope: Scope | None = None, **kwargs: Any) -> R:
        """Call a sync handler with its declared dependencies injected by parameter name."""
        injected = {name: self.get(name, scope) for name in self._wanted(handler, args, kwargs)}
        return handler(*args, **kwargs, **injected)

    async def acall(
        self, handler: Callable[..., Any], *args: Any, scope: Scope | None = None, **kwargs: Any
    ) -> Any:
        """Call a sync or async handler; an async one is awaited, a sync one runs as it is."""
        injected = {name: await self.aget(name, scope) for name in self._wanted(handler, args, kwargs)}
        result = handler(*args, **kwargs, **injected)
        if inspect.isawaitable(result):
            return await result
        return result

    def _wanted(
        self, handler: Callable[..., Any], args: tuple[Any, ...], given: Mapping[str, Any]
    ) -> list[str]:
        """The declared dependencies the caller did not pass itself (by keyword or position); one it
        passed need not be declared here, so tests and hosts can hand a handler their own object."""
        where = getattr(handler, "__qualname__", handler)
        signature = inspect.signature(handler)
        params = signature.parameters
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        try:
            passed = set(given) | set(signature.bind_partial(*args, **given).arguments)
        except TypeError:
            passed = set(given)  # the call itself reports the mismatch
        wanted = [n for n in dict.fromkeys(declared(handler)) if n not in passed]
        for name in wanted:
            if name not in params and not takes_kwargs:
                raise SpecError(
                    f"{where} depends on {name!r} but has no parameter of that name; add one or drop it "
                    "from depends_on",
                    field=name,
                )
            if name not in self.specs:
                raise SpecError(
                    f"{where} depends on {name!r}, which is not declared; declared: "
                    f"{', '.join(sorted(self.specs)) or 'none'}",
                    field=name,
                )
        return wanted

    def __repr__(self) -> str:
        return f"Dependencies({self.specs!r})"


def _read(source: str | Path) -> tuple[str, str]:
    """The text, and how errors name where it came from."""
    if isinstance(source, Path) or _names_a_file(source):
        where = f"dependencies file {str(source)!r}"
        try:
            return read_config_text(source, where), where
        except OSError as exc:
            raise SpecError(
                f"dependencies: cannot read {str(source)!r} ({exc.strerror or type(exc).__name__}); fix the path"
            ) from None
        except UnicodeDecodeError:
            raise SpecError(f"{where} is not UTF-8 text; save it as UTF-8") from None
    return source, "dependencies"


def _names_a_file(text: str) -> bool:
    """One line naming an existing file or ending like a spec file's name; anything else is spec text."""
    if "\n" in text or text.lstrip().startswith(("{", "[")):
        return False
    try:
        if Path(text).is_file():
            return True
    except (OSError, ValueError):  # too long or otherwise impossible as a file name: it is text
        return False
    return text.strip().endswith(_SPEC_FILE_SUFFIXES)


def _spec_error(name: str, exc: ValidationError) -> SpecError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in (name, *err['loc']))}: {err['msg']}" for err in exc.errors()
    )
    first = ".".join(str(p) for p in (name, *exc.errors()[0]["loc"]))
    return SpecError(f"{problems}; a dependency is a mapping of class_name and properties", field=first)


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SpecError(f"dependencies: expected a mapping of name → spec, got {type(data).__name__}")
    return data
