"""DependencyResolver: builds a dependency once per scope and hands the same object back after."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import ClassVar, Generic, Self, TypeVar

from llm_resolver.types.scope import Scope

T = TypeVar("T")

# Locks that serialise resolving one scope, shared by hash: a fixed number however many scopes come.
_STRIPES = 64


class DependencyResolver(ABC, Generic[T]):
    """Subclass and implement ``resolve``; hosts call ``get_or_resolve`` (or ``aresolve``).

    ``DependencySpec.to_resolver`` passes the spec's properties as keyword arguments, plus
    ``plugins=`` when ``accepts_plugins`` and ``env=`` (the variables the spec was read with) when
    ``accepts_env``. ``${VAR}`` references in the properties are filled in first, unless the class
    sets ``interpolates`` and fills them in itself (to know which variable a secret came from).

    The memo keeps the ``max_scopes`` most recently used scopes: scopes may come from callers (a
    server's tenants), so what is kept per scope must stay bounded. A scope dropped from it is
    resolved again on its next use.
    """

    accepts_plugins: ClassVar[bool] = False
    accepts_env: ClassVar[bool] = False
    interpolates: ClassVar[bool] = False
    max_scopes: ClassVar[int] = 4096

    _resolved: OrderedDict[Scope, T]
    _stripes: tuple[threading.Lock, ...]
    _lock: threading.Lock

    def __new__(cls, *args: object, **kwargs: object) -> Self:
        # Set up memo state here so subclasses need not remember to call super().__init__().
        self = super().__new__(cls)
        self._resolved = OrderedDict()
        self._stripes = tuple(threading.Lock() for _ in range(_STRIPES))
        self._lock = threading.Lock()
        return self

    @abstractmethod
    def resolve(self, scope: Scope) -> T:
        """Build the dependency for ``scope``; called once per scope while it stays memoised."""

    def get_or_resolve(self, scope: Scope | None = None) -> T:
        """The memoised dependency for ``scope``; a slow resolve of one scope holds up only the few
        scopes that share its lock stripe."""
        scope = scope or Scope()
        found = self._memoised(scope)
        if found is not None:
            return found[0]
        with self._stripes[hash(scope) % _STRIPES]:
            found = self._memoised(scope)
            if found is not None:
                return found[0]
            value = self.resolve(scope)
            with self._lock:
                self._resolved[scope] = value
                while len(self._resolved) > self.max_scopes:
                    self._resolved.popitem(last=False)
            return value

    def _memoised(self, scope: Scope) -> tuple[T] | None:
        with self._lock:
            if scope not in self._resolved:
                return None
            self._resolved.move_to_end(scope)
            return (self._resolved[scope],)

    async def aresolve(self, scope: Scope | None = None) -> T:
        """Resolution is cheap and does no I/O here; subclasses that do I/O should override this."""
        return self.get_or_resolve(scope)

    def forget(self, scope: Scope | None = None) -> None:
        """Drop memoised dependencies (one scope, or all); the next request resolves again."""
        with self._lock:
            if scope is None:
                self._resolved.clear()
            else:
                self._resolved.pop(scope, None)
