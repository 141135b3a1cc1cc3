"""How meters keep spend and holds for nested budgets: one aggregate per ancestor scope.

A meter adds each event's cost, and each call's hold, to an aggregate at every one of its scope's
``ancestors()``. What a scope covers is then the sum of the aggregates that agree with its named
parts and are ``*`` after its last named part: each event or call lands in exactly one of them.
For a scope with no named part after a ``*`` (``acme/support/*``: what widening from the right
gives) that is its own aggregate, one look-up. For ``*/support/*`` it is every ``<org>/support/*``,
so a budget at such a scope costs a scan of the aggregates.
"""

from __future__ import annotations

from llm_resolver.types.scope import ANY, Scope

# Per part (org, guild, agent): the value an aggregate's scope must have there, or None for any.
Keys = tuple[str | None, str | None, str | None]


def rollup_keys(scope: Scope) -> Keys:
    """The aggregates that add up to everything ``scope`` covers; no ``None`` means only ``scope``'s own."""
    org, guild, agent = scope.org, scope.guild, scope.agent
    if agent != ANY:
        return (None if org == ANY else org), (None if guild == ANY else guild), agent
    if guild != ANY:
        return (None if org == ANY else org), guild, ANY
    return org, ANY, ANY


def matches(keys: Keys, scope: Scope) -> bool:
    """Whether the aggregate kept at ``scope`` is one of ``keys``."""
    return all(
        want is None or want == got
        for want, got in zip(keys, (scope.org, scope.guild, scope.agent), strict=True)
    )
