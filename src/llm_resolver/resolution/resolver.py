"""DependencyResolver: builds a dependency once per scope and hands the same object back after."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import ClassVar, Generic, Self, TypeVar

from llm_resolver.resolution.scope import Scope

T = TypeVar("T")


class DependencyResolver(ABC, Generic[T]):
    """Subclass and implement ``resolve``; hosts call ``get_or_resolve`` (or ``aresolve``).

    ``DependencySpec.to_resolver`` passes the spec's properties as keyword arguments, plus
    ``plugins=`` when ``accepts_plugins`` and ``env=`` (the variables the spec was read with) when
    ``accepts_env``. ``${VAR}`` references in the properties are filled in first, unless the class
    sets ``interpolates`` and fills them in itself (to know which variable a secret came from).
    """

    accepts_plugins: ClassVar[bool] = False
    accepts_env: ClassVar[bool] = False
    interpolates: ClassVar[bool] = False

    _resolved: dict[Scope, T]
    _scope_locks: dict[Scope, threading.Lock]
    _lock: threading.Lock

    def __new__(cls, *args: object, **kwargs: object) -> Self:
        # Set up memo state here so subclasses need not remember to call super().__init__().
        self = super().__new__(cls)
        self._resolved = {}
        self._scope_locks = {}
        self._lock = threading.Lock()
        return self

    @abstractmethod
    def resolve(self, scope: Scope) -> T:
        """Build the dependency for ``scope``; called at most once per scope."""

    def get_or_resolve(self, scope: Scope | None = None) -> T:
        """The memoised dependency for ``scope``; a slow resolve of one scope does not hold up others."""
        scope = scope or Scope()
        try:
            return self._resolved[scope]
        except KeyError:
            pass
        with self._lock:
            scope_lock = self._scope_locks.setdefault(scope, threading.Lock())
        with scope_lock:
            if scope not in self._resolved:
                self._resolved[scope] = self.resolve(scope)
            return self._resolved[scope]

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
