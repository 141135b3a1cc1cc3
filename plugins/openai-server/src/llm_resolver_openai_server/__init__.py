"""An OpenAI-compatible HTTP server in front of the LLMs a Dependencies spec declares."""

from llm_resolver_openai_server.app import ServerSettings, create_app
from llm_resolver_openai_server.running import RunningServer

__all__ = ["RunningServer", "ServerSettings", "create_app"]
