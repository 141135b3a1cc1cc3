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
    # Observer hooks that raised during calls: a plugin can load fine and still fail at run time.
    runtime_failures: int = 0
    last_runtime_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
