"""Cool-downs belong to one resolver and one set of credentials: a tenant's failing key never makes
another tenant skip a healthy endpoint; sharing across resolvers is a named pool; ``cooldown_s: 0``
always opts an LLM out; and a call's last remaining target is always tried."""

from __future__ import annotations

from typing import Any

import pytest

from llm_resolver import LiteLLMResolver, LLMRateLimitError, Scope
from llm_resolver.testing import Fault, ProviderEmulator

PRIMARY, FALLBACK = "gpt-4o-mini", "gpt-4.1-mini"
SCOPE_A = Scope("a")


def resolver(emu: ProviderEmulator, key: str, **retry: Any) -> LiteLLMResolver:
    return LiteLLMResolver(
        env={},
        model=f"openai/{PRIMARY}",
        api_base=emu.openai_base,
        api_key=key,
        max_retries=0,
        fallback_models=[{"model": f"openai/{FALLBACK}", "api_base": emu.openai_base, "api_key": key}],
        retry={"initial_wait": 0, "jitter": 0, "cooldown_after": 3, "cooldown_s": 60, **retry},
    )


def cool_down_primary(emu: ProviderEmulator, res: LiteLLMResolver, scope: Scope = SCOPE_A) -> None:
    """Three rate-limited calls on the primary: it is now cooling down for ``res``."""
    emu.script(*[Fault.rate_limit()] * 3, model=PRIMARY)
    for _ in range(3):
        assert res.get_or_resolve(scope).complete("hi").model == f"openai/{FALLBACK}"
    assert [a.outcome for a in res.get_or_resolve(scope).complete("hi").attempts] == ["skipped", "ok"]


def test_another_tenant_s_key_does_not_cool_down_my_endpoint(provider_emulator: ProviderEmulator) -> None:
    cool_down_primary(provider_emulator, resolver(provider_emulator, "key-of-tenant-a"))
    mine = resolver(provider_emulator, "key-of-tenant-b").get_or_resolve(Scope("b")).complete("hi")
    assert mine.model == f"openai/{PRIMARY}"
    assert [a.outcome for a in mine.attempts] == ["ok"]


def test_the_same_key_in_another_resolver_is_not_cooled_without_a_pool(
    provider_emulator: ProviderEmulator,
) -> None:
    cool_down_primary(provider_emulator, resolver(provider_emulator, "shared-key"))
    other = resolver(provider_emulator, "shared-key").get_or_resolve(Scope("b")).complete("hi")
    assert other.model == f"openai/{PRIMARY}"


def test_scopes_of_one_resolver_share_its_cool_downs(provider_emulator: ProviderEmulator) -> None:
    res = resolver(provider_emulator, "key")
    cool_down_primary(provider_emulator, res, Scope("a"))
    assert [a.outcome for a in res.get_or_resolve(Scope("b")).complete("hi").attempts] == ["skipped", "ok"]


def test_resolvers_naming_one_pool_share_it(provider_emulator: ProviderEmulator) -> None:
    cool_down_primary(provider_emulator, resolver(provider_emulator, "key", cooldown_pool="openai-prod"))
    other = resolver(provider_emulator, "key", cooldown_pool="openai-prod").get_or_resolve().complete("hi")
    assert [a.outcome for a in other.attempts] == ["skipped", "ok"]
    elsewhere = resolver(provider_emulator, "key", cooldown_pool="openai-staging").get_or_resolve()
    assert elsewhere.complete("hi").model == f"openai/{PRIMARY}"


def test_cooldown_s_zero_opts_an_llm_out_even_in_a_cooling_pool(provider_emulator: ProviderEmulator) -> None:
    cool_down_primary(provider_emulator, resolver(provider_emulator, "key", cooldown_pool="pool-z"))
    opted_out = resolver(provider_emulator, "key", cooldown_pool="pool-z", cooldown_s=0).get_or_resolve()
    assert [a.outcome for a in opted_out.complete("hi").attempts] == ["ok"]
    provider_emulator.script(*[Fault.rate_limit()] * 5, model=PRIMARY)
    for _ in range(5):  # its own failures never start a cool-down either
        assert [a.outcome for a in opted_out.complete("hi").attempts] == ["error", "ok"]


def test_the_last_remaining_target_is_tried_even_while_cooling(provider_emulator: ProviderEmulator) -> None:
    # Another resolver in the pool, whose primary is our fallback, cools that endpoint down.
    solo = LiteLLMResolver(
        env={},
        model=f"openai/{FALLBACK}",
        api_base=provider_emulator.openai_base,
        api_key="key",
        max_retries=0,
        retry={"cooldown_after": 3, "cooldown_s": 60, "cooldown_pool": "pool-last"},
    ).get_or_resolve()
    provider_emulator.script(*[Fault.rate_limit()] * 3, model=FALLBACK)
    for _ in range(3):
        with pytest.raises(LLMRateLimitError):
            solo.complete("hi")
    # Our primary fails once: the cooling fallback is the only target left, so it is tried.
    provider_emulator.script(Fault.server_error(), model=PRIMARY)
    response = resolver(provider_emulator, "key", cooldown_pool="pool-last").get_or_resolve().complete("hi")
    assert [(a.model, a.outcome) for a in response.attempts] == [
        (f"openai/{PRIMARY}", "error"),
        (f"openai/{FALLBACK}", "ok"),
    ]
