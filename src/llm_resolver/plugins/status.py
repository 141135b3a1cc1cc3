"""What the plugin manager knows about each plugin, for ``llm-resolver plugins``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PluginStatus:
    name: str
    source: str
    distribution: str | None = None
    hooks: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
