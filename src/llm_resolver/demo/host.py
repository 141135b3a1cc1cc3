"""A host framework in miniature: a guild of agents whose handlers get their dependencies injected."""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from llm_resolver.host.dependencies import Dependencies
from llm_resolver.types.scope import Scope


@dataclass(frozen=True)
class Agent:
    name: str
    handler: Callable[..., Any]
    task: str


class Guild:
    """Loads its dependency spec once; each agent gets its own scope, so its own memoised LLM."""

    def __init__(self, org: str, name: str, dependencies: Dependencies) -> None:
        self.org = org
        self.name = name
        self.dependencies = dependencies

    @classmethod
    def from_package_spec(
        cls, org: str, name: str, *, env: Mapping[str, str] | None = None, resource: str = "guild.yaml"
    ) -> Guild:
        """The spec ships as package data, so the demo works from an installed wheel too; ``env``
        (default: the process environment) fills in its ``${VAR}`` settings."""
        text = importlib.resources.files(__package__).joinpath(resource).read_text(encoding="utf-8")
        return cls(org, name, Dependencies.from_yaml(text, env=env))

    def scope(self, agent: Agent) -> Scope:
        return Scope(self.org, self.name, agent.name)

    def run(self, agent: Agent, **kwargs: Any) -> Any:
        return self.dependencies.call(agent.handler, agent.task, scope=self.scope(agent), **kwargs)

    async def arun(self, agent: Agent, **kwargs: Any) -> Any:
        return await self.dependencies.acall(agent.handler, agent.task, scope=self.scope(agent), **kwargs)
