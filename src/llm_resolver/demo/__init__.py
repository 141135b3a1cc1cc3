"""The demo: a host framework in miniature that gets an LLM injected into its handlers.

``llm-resolver demo`` runs it. It loads ``guild.yaml`` (package data), declares a sync, an async
and a streaming handler with ``@depends_on("llm")``, and calls them with a scope per agent.
"""

from llm_resolver.demo.run import run_demo

__all__ = ["run_demo"]
