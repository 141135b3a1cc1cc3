"""DependencySpec: the declaration a host writes in its agent or guild spec."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

from llm_resolver.config.interpolation import interpolate
from llm_resolver.errors import SpecError
from llm_resolver.redaction import MASK, is_secret_name
from llm_resolver.resolution.resolver import DependencyResolver

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager


def _protect(value: Any, name: str = "") -> Any:
    """Wrap secret-looking values in SecretStr so no repr or dump of the spec shows them."""
    if isinstance(value, dict):
        return {k: _protect(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_protect(v, name) for v in value]
    if isinstance(value, str) and is_secret_name(name):
        return SecretStr(value)
    return value


def _unwrap(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _mask(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return MASK
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


class DependencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    class_name: str = Field(min_length=1)
    properties: dict[str, Any] = Field(default_factory=dict)

    @field_validator("properties", mode="after")
    @classmethod
    def _protect_secrets(cls, value: dict[str, Any]) -> dict[str, Any]:
        protected: dict[str, Any] = _protect(value)
        return protected

    @field_serializer("properties")
    def _dump_masked(self, value: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = _mask(value)
        return masked

    def __repr__(self) -> str:
        return f"DependencySpec(class_name={self.class_name!r}, properties={_mask(self.properties)!r})"

    __str__ = __repr__

    def resolver_class(self, plugins: PluginManager | None = None) -> type[DependencyResolver[Any]]:
        if "." not in self.class_name:
            from llm_resolver.plugins.default import default_plugin_manager

            registry = (plugins or default_plugin_manager()).resolvers()
            if self.class_name not in registry:
                known = ", ".join(sorted(registry)) or "none"
                raise SpecError(
                    f"class_name: unknown resolver {self.class_name!r}; known short names: {known} "
                    "(or use a dotted path such as 'package.module.Class')",
                    field="class_name",
                )
            cls: object = registry[self.class_name]
        else:
            module_name, _, attr = self.class_name.rpartition(".")
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise SpecError(
                    f"class_name: cannot import module {module_name!r} ({exc}); check the dotted path",
                    field="class_name",
                ) from None
            try:
                cls = getattr(module, attr)
            except AttributeError:
                raise SpecError(
                    f"class_name: module {module_name!r} has no attribute {attr!r}", field="class_name"
                ) from None
        if not (isinstance(cls, type) and issubclass(cls, DependencyResolver)):
            raise SpecError(
                f"class_name: {self.class_name!r} is not a DependencyResolver subclass", field="class_name"
            )
        return cls

    def to_resolver(
        self, plugins: PluginManager | None = None, env: Mapping[str, str] | None = None
    ) -> DependencyResolver[Any]:
        """Build the resolver, filling in ``${VAR}`` from ``env`` (default: the process environment);
        bad properties raise ``SpecError`` naming the field."""
        cls = self.resolver_class(plugins)
        env = os.environ if env is None else env
        kwargs: dict[str, Any] = interpolate(_unwrap(self.properties), env)
        if getattr(cls, "accepts_plugins", False):
            kwargs["plugins"] = plugins
        try:
            return cls(**kwargs)
        except SpecError:
            raise
        except TypeError as exc:
            raise SpecError(
                f"properties: {self.class_name} rejected them: {exc}", field="properties"
            ) from None
