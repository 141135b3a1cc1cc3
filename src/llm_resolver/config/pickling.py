"""Pickling by reference: a secret travels as the ``${VAR}`` it was read from, never as its value.

Workers that receive a pickled spec, config or resolver read the variables again from their own
environment; a secret that came from nowhere but a literal cannot travel, and pickling refuses it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, SecretStr

from llm_resolver.config.interpolation import interpolate
from llm_resolver.errors import SpecError
from llm_resolver.redaction import is_secret_key

if TYPE_CHECKING:
    from llm_resolver.config.models import LiteLLMConfig


class Reference(NamedTuple):
    """Where a secret stood in pickled settings, and the ``${VAR}`` it is read from when unpickled."""

    path: str
    text: str


def by_reference(value: Any, reference_of: Callable[[str], str | None], path: str = "") -> Any:
    """Plain data of ``value`` (a model becomes a dict of the fields it was given) with each secret —
    a ``SecretStr``, or any string under a secret-named key — replaced by its ``Reference``.

    ``reference_of`` maps a secret to the ``${VAR}`` it came from; a secret it does not know refuses."""
    return _swap(value, reference_of, path, secret=False)


def _swap(value: Any, reference_of: Callable[[str], str | None], path: str, secret: bool) -> Any:
    if isinstance(value, SecretStr) or (secret and isinstance(value, str)):
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        reference = reference_of(text)
        if reference is None:
            raise SpecError(
                f"{path or 'value'}: a pickle never carries a secret, and this one was not read from an "
                "environment variable; write it as ${VAR} in the spec or config file (or leave it to "
                "the provider's key variable, such as OPENAI_API_KEY) and set VAR where it is unpickled",
                field=path or None,
            )
        return Reference(path, reference)
    if isinstance(value, BaseModel):
        given = [name for name in type(value).model_fields if name in value.model_fields_set]
        return {
            name: _swap(getattr(value, name), reference_of, _join(path, name), secret or is_secret_key(name))
            for name in given
        }
    if isinstance(value, Mapping):
        return {
            k: _swap(v, reference_of, _join(path, str(k)), secret or is_secret_key(k))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_swap(v, reference_of, f"{path}[{i}]", secret) for i, v in enumerate(value)]
    return value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def restore_config(cls: type[LiteLLMConfig], data: dict[str, Any]) -> LiteLLMConfig:
    """Unpickle: read each referenced variable from this process's environment, then validate again."""
    references: dict[str, str] = {}
    config = cls.model_validate(_fill(data, os.environ, references))
    config.remember_references(references)
    return config


def _fill(value: Any, env: Mapping[str, str], references: dict[str, str]) -> Any:
    if isinstance(value, Reference):
        return interpolate(value.text, env, value.path, references)
    if isinstance(value, dict):
        return {k: _fill(v, env, references) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, env, references) for v in value]
    return value
