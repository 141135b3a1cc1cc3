"""``ServerSettings``, apart from the application so ``llm-resolver serve``'s parser (and with it every
``llm-resolver`` command) can be built without importing FastAPI."""

from __future__ import annotations

from dataclasses import dataclass, field

from llm_resolver import SpecError
from llm_resolver_openai_server.access import Keys


@dataclass(frozen=True)
class ServerSettings:
    """``api_keys``: the bearer tokens clients must send, each mapped to the scope it is held to (None:
    any scope); no keys means no authentication, for loopback clients only. ``max_scopes_per_key``: how
    many distinct scopes one key (or, without keys, the caller) may use; each holds state."""

    api_keys: Keys = field(default_factory=dict)
    scope_header: str = "X-LLM-Scope"
    max_body_bytes: int = 32 * 2**20
    max_scopes_per_key: int = 1000

    def __post_init__(self) -> None:
        limit = self.max_scopes_per_key
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise SpecError(
                f"max_scopes_per_key must be a positive int, got {limit!r}", field="max_scopes_per_key"
            )

    def __repr__(self) -> str:
        return (
            f"ServerSettings(api_keys=<{len(self.api_keys)} hidden>, scope_header={self.scope_header!r}, "
            f"max_scopes_per_key={self.max_scopes_per_key})"
        )
