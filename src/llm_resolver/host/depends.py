"""``depends_on``: marks which of a handler's parameters are injected dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

MARKER = "__llm_resolver_depends_on__"


def depends_on(*names: str) -> Callable[[F], F]:
    """Declare the dependencies a sync or async handler takes, by parameter name."""
    bad = [n for n in names if not isinstance(n, str) or not n.isidentifier()]
    if bad:
        raise TypeError(f"depends_on takes parameter names, got {bad!r}")

    def mark(handler: F) -> F:
        setattr(handler, MARKER, (*getattr(handler, MARKER, ()), *names))
        return handler

    return mark


def declared(handler: Callable[..., object]) -> tuple[str, ...]:
    target = getattr(handler, "__func__", handler)
    found: tuple[str, ...] = getattr(target, MARKER, ())
    return found
