"""An OpenAI-compatible HTTP server in front of the LLMs a Dependencies spec declares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_resolver.plugins import lazy_exports

if TYPE_CHECKING:
    from llm_resolver_openai_server.app import create_app
    from llm_resolver_openai_server.routes import router
    from llm_resolver_openai_server.running import RunningServer
    from llm_resolver_openai_server.server_deps import Caller, ServerDeps
    from llm_resolver_openai_server.settings import ServerSettings

__all__ = ["Caller", "RunningServer", "ServerDeps", "ServerSettings", "create_app", "router"]
# Loaded on first use: the entry point (.plugin) imports this package, and FastAPI is slow to import.
__getattr__ = lazy_exports(
    __name__,
    {
        "Caller": "server_deps",
        "RunningServer": "running",
        "ServerDeps": "server_deps",
        "ServerSettings": "settings",
        "create_app": "app",
        "router": "routes",
    },
)
