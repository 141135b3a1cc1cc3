"""Scope memoisation: one object per scope, built once even under concurrent first use."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from llm_resolver import DependencyResolver, LiteLLM, LiteLLMResolver, Scope
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.resolution.resolver import _STRIPES


@dataclasses.dataclass(frozen=True)
class Thing:
    scope: Scope
    serial: int


class CountingResolver(DependencyResolver[Thing]):
    """Deliberately does not call super().__init__(): memoisation must still work."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: Counter[Scope] = Counter()
        self._serial = 0

    def resolve(self, scope: Scope) -> Thing:
        self.calls[scope] += 1
        self._serial += 1
        serial = self._serial
        time.sleep(self.delay)
        return Thing(scope, serial)


def test_same_scope_gives_the_same_object() -> None:
    resolver = CountingResolver()
    first = resolver.get_or_resolve(Scope(org="acme", agent="a1"))
    assert resolver.get_or_resolve(Scope(org="acme", agent="a1")) is first
    assert resolver.calls == Counter({Scope(org="acme", agent="a1"): 1})


def test_no_scope_means_the_default_scope() -> None:
    resolver = CountingResolver()
    assert resolver.get_or_resolve() is resolver.get_or_resolve(Scope())
    assert resolver.calls == Counter({Scope("*", "*", "*"): 1})


def test_different_scopes_give_different_objects(builtin_plugins: PluginManager) -> None:
    resolver = LiteLLMResolver(plugins=builtin_plugins, env={}, model="openai/gpt-4o-mini", api_key="k")
    scopes = [Scope(org="a"), Scope(org="b"), Scope(org="a", guild="g"), Scope(org="a", guild="g", agent="x")]
    llms = [resolver.get_or_resolve(s) for s in scopes]
    assert len({id(llm) for llm in llms}) == len(scopes)
    for llm, scope in zip(llms, scopes, strict=True):
        assert isinstance(llm, LiteLLM)
        assert llm.scope == scope
        assert llm.model == "openai/gpt-4o-mini"


def test_forget_one_scope_or_all() -> None:
    resolver = CountingResolver()
    a, b = Scope(org="a"), Scope(org="b")
    first_a, first_b = resolver.get_or_resolve(a), resolver.get_or_resolve(b)
    resolver.forget(a)
    assert resolver.get_or_resolve(a) is not first_a
    assert resolver.get_or_resolve(b) is first_b
    resolver.forget()
    assert resolver.get_or_resolve(b) is not first_b
    assert resolver.calls == Counter({a: 2, b: 2})
    resolver.forget(Scope(org="never-seen"))  # nothing to forget is fine


def test_a_failed_resolve_is_not_memoised() -> None:
    class Flaky(DependencyResolver[str]):
        def __init__(self) -> None:
            self.attempts = 0

        def resolve(self, scope: Scope) -> str:
            self.attempts += 1
            if self.attempts == 1:
                raise RuntimeError("first time fails")
            return "ok"

    resolver = Flaky()
    with pytest.raises(RuntimeError):
        resolver.get_or_resolve()
    assert resolver.get_or_resolve() == "ok"
    assert resolver.get_or_resolve() == "ok"
    assert resolver.attempts == 2


def test_eight_threads_on_one_scope_get_one_object_resolved_once() -> None:
    resolver = CountingResolver(delay=0.05)
    scope = Scope(org="acme", guild="g", agent="a")
    start = threading.Barrier(8)

    def use() -> Thing:
        start.wait()
        return resolver.get_or_resolve(scope)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: use(), range(8)))
    assert len({id(r) for r in results}) == 1
    assert resolver.calls == Counter({scope: 1})


def test_threads_on_many_scopes_get_one_object_per_scope() -> None:
    resolver = CountingResolver(delay=0.01)
    scopes = [Scope(org=f"o{i % 4}") for i in range(32)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(resolver.get_or_resolve, scopes))
    for scope, thing in zip(scopes, results, strict=True):
        assert thing.scope == scope
        assert thing is resolver.get_or_resolve(scope)
    assert resolver.calls == Counter({Scope(org=f"o{i}"): 1 for i in range(4)})


def test_a_slow_scope_does_not_hold_up_another() -> None:
    """Scopes share a lock only within a stripe (string hashes vary per process): the other scope is
    picked from another stripe, else one run in that many would see it wait by design."""
    other_done = threading.Event()
    slow_scope = Scope(org="slow")
    fast_scope = next(
        s
        for s in (Scope(org=f"fast{i}") for i in range(1000))
        if hash(s) % _STRIPES != hash(slow_scope) % _STRIPES
    )

    class Waits(DependencyResolver[str]):
        def resolve(self, scope: Scope) -> str:
            if scope == slow_scope:
                # Finishes only once another scope resolved meanwhile; a shared lock would stall here.
                assert other_done.wait(timeout=5), "the other scope was blocked behind this one"
            return scope.org

    resolver = Waits()
    slow = threading.Thread(target=resolver.get_or_resolve, args=(slow_scope,))
    slow.start()
    time.sleep(0.05)
    assert resolver.get_or_resolve(fast_scope) == fast_scope.org
    other_done.set()
    slow.join(timeout=5)
    assert resolver.get_or_resolve(slow_scope) == "slow"


def test_resolve_may_use_another_scope_of_the_same_resolver() -> None:
    class Layered(DependencyResolver[str]):
        def resolve(self, scope: Scope) -> str:
            if scope.agent == "*":
                return f"shared for {scope.org}"
            return "agent on " + self.get_or_resolve(Scope(org=scope.org))

    result: list[str] = []
    worker = threading.Thread(
        target=lambda: result.append(Layered().get_or_resolve(Scope(org="acme", agent="a"))), daemon=True
    )
    worker.start()
    worker.join(timeout=5)
    assert result == ["agent on shared for acme"], "resolve() deadlocked on the resolver's own lock"


async def test_hundred_tasks_get_one_object_resolved_once() -> None:
    resolver = CountingResolver()
    scope = Scope(org="acme")
    results = await asyncio.gather(*(resolver.aresolve(scope) for _ in range(100)))
    assert len({id(r) for r in results}) == 1
    assert resolver.calls == Counter({scope: 1})


async def test_hundred_tasks_across_scopes() -> None:
    resolver = CountingResolver()
    scopes = [Scope(org="acme", agent=f"a{i % 5}") for i in range(100)]
    results = await asyncio.gather(*(resolver.aresolve(s) for s in scopes))
    assert {r.scope for r in results} == set(scopes)
    assert all(count == 1 for count in resolver.calls.values())
    assert len(resolver.calls) == 5


def test_scope_is_frozen_hashable_and_parsed() -> None:
    scope = Scope(org="acme", guild="g")
    with pytest.raises(dataclasses.FrozenInstanceError):
        scope.org = "other"  # type: ignore[misc]
    assert {scope: 1}[Scope(org="acme", guild="g", agent="*")] == 1
    assert Scope.parse("acme/g") == scope
    assert Scope.parse("acme//a") == Scope(org="acme", agent="a")
    assert str(Scope.parse("acme/g/a")) == "acme/g/a"
    with pytest.raises(ValueError, match="more than three parts"):
        Scope.parse("a/b/c/d")
