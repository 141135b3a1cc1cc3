"""Building what plugins contribute (meters, cache backends) from a name and config options."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from llm_resolver.errors import LLMError, PluginError, SpecError
from llm_resolver.redaction import find_secrets, redact


def registering(
    kind: str, reserved: frozenset[str] = frozenset()
) -> Callable[[str, dict[str, Any]], Callable[..., None]]:
    """The ``make_register`` for ``PluginManager.collect``: ``register(name, factory)`` with checks."""

    def make(plugin: str, target: dict[str, Any]) -> Callable[[str, Callable[..., Any]], None]:
        def register(name: str, factory: Callable[..., Any]) -> None:
            if not isinstance(name, str) or not name:
                raise PluginError(f"{kind} names must be non-empty strings, got {name!r}", plugin=plugin)
            if name in reserved:
                raise PluginError(
                    f"{kind} {name!r} is built in; register it under another name", plugin=plugin
                )
            if not callable(factory):
                raise PluginError(f"{kind} {name!r} needs a callable factory, got {factory!r}", plugin=plugin)
            if name in target:
                raise PluginError(f"{kind} {name!r} registered twice", plugin=plugin)
            target[name] = factory

        return register

    return make


def unknown_name(setting: str, kind: str, name: str, known: Mapping[str, Any], hint: str) -> SpecError:
    listed = ", ".join(repr(k) for k in sorted(known)) or "none"
    return SpecError(f"{setting}: unknown {kind} {name!r}; known: {listed}. {hint}", field=setting)


def construct(
    setting: str, kind: str, name: str, factory: Callable[..., Any], options: Mapping[str, Any]
) -> Any:
    """``factory(**options)``; wrong options and failures become a ``SpecError`` naming the setting."""
    secrets = list(find_secrets(dict(options)))
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        try:
            signature.bind(**options)
        except TypeError as exc:
            accepted = [p for p in signature.parameters if p not in ("self", "args", "kwargs")]
            raise SpecError(
                f"{setting}: {kind} {name!r} does not accept these options ({exc}); it takes: "
                f"{', '.join(accepted) or 'no options'}",
                field=setting,
            ) from None
    try:
        return factory(**options)
    except LLMError:
        raise
    except Exception as exc:
        raise SpecError(
            f"{setting}: {kind} {name!r} could not be created: {redact(f'{type(exc).__name__}: {exc}', secrets)}",
            field=setting,
        ) from None
