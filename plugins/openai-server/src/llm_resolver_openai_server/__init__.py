"""An OpenAI-compatible HTTP server in front of the LLMs a Dependencies spec declares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_resolver.plugins import lazy_exports

if TYPE_CHECKING:
    from llm_resolver_openai_server.app import create_app
    from llm_resolver_openai_server.running import RunningServer
    from llm_resolver_openai_server.settings import ServerSettings

__all__ = ["RunningServer", "ServerSettings", "create_app"]
# Loaded on first use: the entry point (.plugin) imports this package, and aiohttp is slow to import.
__getattr__ = lazy_exports(
    __name__, {"RunningServer": "running", "ServerSettings": "settings", "create_app": "app"}
)
