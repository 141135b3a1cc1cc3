"""DependencySpec: the declaration a host writes in its agent or guild spec."""

from __future__ import annotations

import importlib
import inspect
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_serializer,
    field_validator,
)

from llm_resolver.config.interpolation import WHOLE_REFERENCE, interpolate
from llm_resolver.config.pickling import by_reference
from llm_resolver.config.safe_load import check_shape
from llm_resolver.config.spec_errors import spec_error_from
from llm_resolver.errors import SpecError
from llm_resolver.plugins.default import plugins_or_default
from llm_resolver.redaction import is_secret_key, mask_secrets
from llm_resolver.resolution.resolver import DependencyResolver

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager

_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def _protect(value: Any, secret: bool = False) -> Any:
    """Wrap secret values (by key name, or anything under one) in SecretStr so no repr or dump shows them."""
    if isinstance(value, Mapping):
        return {k: _protect(v, secret or is_secret_key(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_protect(v, secret) for v in value]
    if secret and isinstance(value, str):
        return SecretStr(value)
    return value


def _whole_reference(secret: str) -> str | None:
    return secret if WHOLE_REFERENCE.fullmatch(secret) else None


def _unwrap(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


class DependencySpec(BaseModel):
    """``class_name`` is a short name a plugin registered (``"litellm"`` is built in) or a dotted path."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    class_name: str = Field(min_length=1)
    properties: dict[str, Any] = Field(default_factory=dict)

    def __init__(self, /, **data: Any) -> None:
        # Checked here as well as in the validator: pydantic turns a validator's SpecError into a
        # ValidationError, and a spec built in code should fail with the same SpecError as one loaded.
        check_shape(data.get("properties"), "properties")
        super().__init__(**data)

    @field_validator("properties", mode="before")
    @classmethod
    def _check_shape(cls, value: Any) -> Any:
        """Bounded before anything walks it: ``_protect``, masking and interpolation recurse."""
        check_shape(value, "properties")
        return value

    @field_validator("properties", mode="after")
    @classmethod
    def _protect_secrets(cls, value: dict[str, Any]) -> dict[str, Any]:
        protected: dict[str, Any] = _protect(value)
        return protected

    @field_serializer("properties")
    def _dump_masked(self, value: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = mask_secrets(value)
        return masked

    def __repr__(self) -> str:
        return f"DependencySpec(class_name={self.class_name!r}, properties={mask_secrets(self.properties)!r})"

    __str__ = __repr__

    def __getstate__(self) -> dict[Any, Any]:
        """A spec holds its ``${VAR}`` references uninterpolated, so it pickles as it is, unless a
        secret is written out: that refuses with a ``SpecError`` naming the setting."""
        by_reference(self.properties, _whole_reference, "properties")
        return super().__getstate__()

    def resolver_class(self, plugins: PluginManager | None = None) -> type[DependencyResolver[Any]]:
        found = self._lookup(plugins) if "." not in self.class_name else self._import()
        if not isinstance(found, type) or not issubclass(found, DependencyResolver):
            what = f"class {found.__name__}" if isinstance(found, type) else f"a {type(found).__name__}"
            raise SpecError(
                f"class_name: {self.class_name!r} is {what}, not a DependencyResolver subclass; "
                "point it at a resolver class",
                field="class_name",
            )
        if inspect.isabstract(found):
            raise SpecError(
                f"class_name: {self.class_name!r} is abstract; point it at a resolver that implements resolve()",
                field="class_name",
            )
        return found

    def _lookup(self, plugins: PluginManager | None) -> object:
        registry = plugins_or_default(plugins).resolvers()
        if self.class_name not in registry:
            known = ", ".join(sorted(registry)) or "none"
            raise SpecError(
                f"class_name: unknown resolver {self.class_name!r}; known short names: {known} "
                "(or use a dotted path such as 'package.module.Class')",
                field="class_name",
            )
        return registry[self.class_name]

    def _import(self) -> object:
        if not _DOTTED.fullmatch(self.class_name):
            raise SpecError(
                f"class_name: {self.class_name!r} is not a dotted path; write 'package.module.Class'",
                field="class_name",
            )
        module_name, _, attr = self.class_name.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise SpecError(
                f"class_name: cannot import module {module_name!r} ({exc}); check the dotted path "
                "and that its package is installed",
                field="class_name",
            ) from None
        except Exception as exc:
            raise SpecError(
                f"class_name: importing module {module_name!r} failed ({type(exc).__name__}: {exc}); "
                "fix that module",
                field="class_name",
            ) from None
        try:
            found: object = getattr(module, attr)
        except AttributeError:
            raise SpecError(
                f"class_name: module {module_name!r} has no attribute {attr!r}; check the class name",
                field="class_name",
            ) from None
        return found

    def to_resolver(
        self, plugins: PluginManager | None = None, env: Mapping[str, str] | None = None
    ) -> DependencyResolver[Any]:
        """Build the resolver, filling in ``${VAR}`` from ``env`` (default: the process environment);
        bad properties raise ``SpecError`` naming the field."""
        cls = self.resolver_class(plugins)
        kwargs: dict[str, Any] = _unwrap(self.properties)
        if not cls.interpolates:
            kwargs = interpolate(kwargs, os.environ if env is None else env)
        if cls.accepts_plugins:
            kwargs["plugins"] = plugins
        if cls.accepts_env:
            kwargs["env"] = env
        try:
            return cls(**kwargs)
        except SpecError:
            raise
        except ValidationError as exc:
            raise spec_error_from(exc, schema=None) from None
        except TypeError as exc:
            raise SpecError(
                f"properties: {self.class_name} rejected them ({exc}); fix the properties", field="properties"
            ) from None
