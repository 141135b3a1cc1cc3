"""Scope: who is asking. The key for memoisation, metering and budgets.

Scopes nest: ``acme/*/*`` covers every guild and agent of ``acme``, ``*/*/*`` covers everything, so a
budget set for a scope can hold everything beneath it.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY = "*"


@dataclass(frozen=True, slots=True)
class Scope:
    org: str = ANY
    guild: str = ANY
    agent: str = ANY

    def __str__(self) -> str:
        return f"{self.org}/{self.guild}/{self.agent}"

    @classmethod
    def parse(cls, text: str) -> Scope:
        """``org/guild/agent`` with missing trailing parts meaning any (``*``)."""
        parts = [p or ANY for p in text.split("/")]
        if len(parts) > 3:
            raise ValueError(f"scope {text!r} has more than three parts; use org/guild/agent")
        return cls(*parts)

    def covers(self, other: Scope) -> bool:
        """Whether ``other`` lies within this scope: each part of ours is ``*`` or the same as theirs."""
        return (
            (self.org == ANY or self.org == other.org)
            and (self.guild == ANY or self.guild == other.guild)
            and (self.agent == ANY or self.agent == other.agent)
        )

    def ancestors(self) -> tuple[Scope, ...]:
        """This scope and every scope that covers it by widening from the right, narrowest first:
        ``acme/support/triage``, ``acme/support/*``, ``acme/*/*``, ``*/*/*`` (duplicates dropped)."""
        chain = [self, Scope(self.org, self.guild), Scope(self.org), Scope()]
        out: list[Scope] = []
        for scope in chain:
            if scope not in out:
                out.append(scope)
        return tuple(out)
