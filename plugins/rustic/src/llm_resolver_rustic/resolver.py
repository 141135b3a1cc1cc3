"""``LiteLLMResolver``: a Rustic ``DependencyResolver`` that injects llm-resolver's LLM.

Migrating a guild is one line: its dependency's ``class_name`` becomes
``llm_resolver_rustic.LiteLLMResolver``, with the same properties.
"""

from __future__ import annotations

import difflib
from typing import Any

from rustic_ai.core.guild.agent_ext.depends.dependency_resolver import (
    GUILD_GLOBAL,
    ORG_GLOBAL,
    DependencyResolver,
)

from llm_resolver import LiteLLMConfig, Scope, SpecError
from llm_resolver.config.sources import build_config
from llm_resolver_rustic.llm import RusticLLM
from llm_resolver_rustic.pool import fingerprint, pool_for

# Rustic's property names that differ from ours; the rest of its documented names are ours too.
RUSTIC_NAMES = {"organization_id": "organization", "base_url": "api_base"}
# Rustic's ``stream``: its resolver crashes on it; ours streams each completion and assembles it.
STREAM = "stream"


def map_properties(properties: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Our settings for Rustic's properties, and whether completions stream; unknown names and a
    setting given under both of its names are ``SpecError``s naming the property."""
    known = set(LiteLLMConfig.model_fields) | set(RUSTIC_NAMES) | {STREAM}
    mapped: dict[str, Any] = {}
    given_as: dict[str, str] = {}
    for name, value in properties.items():
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise SpecError(
                f"{name}: unknown property of llm_resolver_rustic.LiteLLMResolver; {hint}it takes "
                f"Rustic's names ({', '.join(sorted(RUSTIC_NAMES))}, {STREAM}) and every llm-resolver "
                f"setting: {', '.join(sorted(LiteLLMConfig.model_fields))}",
                field=name,
            )
        ours = RUSTIC_NAMES.get(name, name)
        if ours in mapped:
            raise SpecError(f"{name}: set either {given_as[ours]} or {name}, not both", field=name)
        mapped[ours], given_as[ours] = value, name
    stream = mapped.pop(STREAM, False)
    if not isinstance(stream, bool):
        raise SpecError(f"{STREAM}: must be true or false, not {type(stream).__name__}", field=STREAM)
    return mapped, stream


def to_scope(org_id: str, guild_id: str, agent_id: str) -> Scope:
    """Rustic's ids → our scope: ``GUILD_GLOBAL`` and ``ORG_GLOBAL`` become ``*`` so a guild-scoped
    LLM is ``org/guild/*`` (its budget covers every agent of the guild) and an org-scoped one ``org/*/*``."""

    def part(value: str) -> str:
        return "*" if value in (GUILD_GLOBAL, ORG_GLOBAL) else value

    return Scope(org_id, part(guild_id), part(agent_id))


class LiteLLMResolver(DependencyResolver[RusticLLM]):
    """Takes Rustic's documented properties and every ``LiteLLMConfig`` setting; ``${VAR}`` references
    are read from the environment here (so the guild spec Rustic logs keeps them as references). A bad
    property fails when the agent starts, as a ``SpecError`` naming it."""

    def __init__(self, **properties: Any) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Rustic's cache and injector maps
        mapped, self.stream_completions = map_properties(properties)
        self.config = build_config(mapped)
        self._key = fingerprint(self.config, self.stream_completions)

    @classmethod
    def from_config(cls, config: LiteLLMConfig, stream_completions: bool = False) -> LiteLLMResolver:
        """Skip the properties: use this validated config as it is (how a resolver unpickles)."""
        resolver = cls.__new__(cls)
        super(LiteLLMResolver, resolver).__init__()  # type: ignore[no-untyped-call]  # Rustic's maps
        resolver.config, resolver.stream_completions = config, stream_completions
        resolver._key = fingerprint(config, stream_completions)
        return resolver

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its config, each secret as its ``${VAR}`` (or refused), never Rustic's memo."""
        return type(self).from_config, (self.config, self.stream_completions)

    def resolve(self, org_id: str, guild_id: str, agent_id: str) -> RusticLLM:
        pool = pool_for(self._key, org_id, self.config, self.stream_completions)
        return pool.get_or_resolve(to_scope(org_id, guild_id, agent_id))

    def __repr__(self) -> str:
        return f"llm_resolver_rustic.LiteLLMResolver(model={self.config.model!r})"
