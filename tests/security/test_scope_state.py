"""Scopes come from callers (a server's tenants name them), so what a process keeps per scope is
bounded: every scope's LLM is a small handle over its resolver's one core, and the memo keeps only
the most recently used scopes."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from llm_resolver import LiteLLMResolver, Scope
from llm_resolver.testing import ProviderEmulator


def test_every_scope_shares_its_resolver_s_one_core(emulator_settings: dict[str, Any]) -> None:
    resolver = LiteLLMResolver(env={}, **emulator_settings)
    a = resolver.get_or_resolve(Scope("acme", "g1"))
    b = resolver.get_or_resolve(Scope("globex"))
    assert a is resolver.get_or_resolve(Scope("acme", "g1"))
    assert a.core is b.core
    assert (a.scope, b.scope) == (Scope("acme", "g1"), Scope("globex"))


def test_memory_stays_flat_however_many_scopes_are_resolved(emulator_settings: dict[str, Any]) -> None:
    resolver = LiteLLMResolver(env={}, **emulator_settings)
    tracemalloc.start()
    try:
        for n in range(resolver.max_scopes + 100):  # fill the memo, traced, so its turnover nets out
            resolver.get_or_resolve(Scope("warm", str(n)))
        gc.collect()
        before = tracemalloc.take_snapshot()
        for n in range(20_000):
            resolver.get_or_resolve(Scope("tenant", str(n), "agent"))
        gc.collect()
        grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"{grown} bytes kept for 20,000 more scopes"  # ~4.7 KB each before


def test_a_scope_dropped_from_the_memo_resolves_again_on_the_same_core(
    provider_emulator: ProviderEmulator, emulator_settings: dict[str, Any]
) -> None:
    resolver = LiteLLMResolver(env={}, **emulator_settings)
    first = resolver.get_or_resolve(Scope("acme"))
    for n in range(resolver.max_scopes):
        resolver.get_or_resolve(Scope("other", str(n)))
    again = resolver.get_or_resolve(Scope("acme"))
    assert again is not first
    assert again.core is first.core
    assert again.complete("hello").text
    assert resolver.meter.totals(Scope("acme")).calls == 1
