"""How meters keep spend and holds for nested budgets: one aggregate per ancestor scope.

A meter adds each event's cost, and each call's hold, to an aggregate at every one of its scope's
``ancestors()``. What a scope covers is then the sum of the aggregates that agree with its named
parts and are ``*`` after its last named part: each event or call lands in exactly one of them.
For a scope with no named part after a ``*`` (``acme/support/*``: what widening from the right
gives) that is its own aggregate, one look-up. For ``*/support/*`` it is every ``<org>/support/*``,
so a budget at such a scope costs a scan of the aggregates.
"""

from __future__ import annotations

from llm_resolver.resolution.scope import ANY, Scope

# Per part (org, guild, agent): the value an aggregate's scope must have there, or None for any.
Keys = tuple[str | None, str | None, str | None]


def rollup_keys(scope: Scope) -> Keys:
    """The aggregates that add up to everything ``scope`` covers; no ``None`` means only ``scope``'s own."""
    parts = (scope.org, scope.guild, scope.agent)
    last = max((i for i, part in enumerate(parts) if part != ANY), default=-1)
    org, guild, agent = (ANY if i > last else None if part == ANY else part for i, part in enumerate(parts))
    return org, guild, agent


def matches(keys: Keys, scope: Scope) -> bool:
    """Whether the aggregate kept at ``scope`` is one of ``keys``."""
    return all(
        want is None or want == got
        for want, got in zip(keys, (scope.org, scope.guild, scope.agent), strict=True)
    )
