"""Scope: who is asking. The key for memoisation, metering and budgets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    org: str = "*"
    guild: str = "*"
    agent: str = "*"

    def __str__(self) -> str:
        return f"{self.org}/{self.guild}/{self.agent}"

    @classmethod
    def parse(cls, text: str) -> Scope:
        """``org/guild/agent`` with missing trailing parts meaning any (``*``)."""
        parts = [p or "*" for p in text.split("/")]
        if len(parts) > 3:
            raise ValueError(f"scope {text!r} has more than three parts; use org/guild/agent")
        return cls(*parts)
