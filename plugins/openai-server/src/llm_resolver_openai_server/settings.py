"""``ServerSettings``, apart from the application so ``llm-resolver serve``'s parser (and with it every
``llm-resolver`` command) can be built without importing FastAPI."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from llm_resolver import SpecError
from llm_resolver_openai_server.access import Keys


@dataclass(frozen=True)
class ServerSettings:
    """``api_keys``: the bearer tokens clients must send, each mapped to the scope it is held to (None:
    any scope); no keys means no authentication, for loopback clients only. ``max_scopes_per_key``: how
    many distinct scopes one key (or, without keys, the caller) may use; each holds state.

    ``body_timeout_s``: how long a client may take to send a request's body (408 past it), so a slow
    sender cannot hold a request open. ``max_connections``: the connections (and requests) uvicorn
    serves at once, more are answered 503. ``max_prompts``: prompts one ``/v1/completions`` request
    may hold, each an upstream call. ``allowed_origins``: web origins (``https://app.example``) whose
    pages may call the API besides the server's own, as behind a proxy that rewrites ``Host``."""

    api_keys: Keys = field(default_factory=dict)
    scope_header: str = "X-LLM-Scope"
    max_body_bytes: int = 32 * 2**20
    max_scopes_per_key: int = 1000
    body_timeout_s: float = 30.0
    max_connections: int = 512
    max_prompts: int = 16
    allowed_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("max_scopes_per_key", "max_connections", "max_prompts"):
            _positive_int(name, getattr(self, name))
        timeout = self.body_timeout_s
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < 1e6:
            raise SpecError(
                f"body_timeout_s must be a positive number of seconds, got {timeout!r}",
                field="body_timeout_s",
            )
        if isinstance(self.allowed_origins, str):
            raise SpecError(
                "allowed_origins must be a list of origins, not one string", field="allowed_origins"
            )
        object.__setattr__(self, "allowed_origins", tuple(_origin(o) for o in self.allowed_origins))

    def __repr__(self) -> str:
        return (
            f"ServerSettings(api_keys=<{len(self.api_keys)} hidden>, scope_header={self.scope_header!r}, "
            f"max_scopes_per_key={self.max_scopes_per_key}, body_timeout_s={self.body_timeout_s}, "
            f"max_connections={self.max_connections}, max_prompts={self.max_prompts}, "
            f"allowed_origins={self.allowed_origins!r})"
        )


def _positive_int(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SpecError(f"{name} must be a positive int, got {value!r}", field=name)


def _origin(text: object) -> str:
    """An origin as browsers send it in ``Origin``: scheme and host, lowercase, a port only if given."""
    parts = urlsplit(text.strip().lower().rstrip("/")) if isinstance(text, str) else None
    try:
        valid = bool(parts and parts.scheme in ("http", "https") and parts.hostname and parts.port != 0)
    except ValueError:  # a port that is not a number
        valid = False
    if not valid or parts is None or parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise SpecError(
            f"allowed_origins entries are origins such as https://app.example or http://localhost:3000 "
            f"(scheme, host, optional port; no path), got {text!r}",
            field="allowed_origins",
        )
    return f"{parts.scheme}://{parts.netloc}"
