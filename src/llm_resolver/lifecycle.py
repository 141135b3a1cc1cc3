"""Releasing LiteLLM's cached HTTP clients before an event loop ends.

LiteLLM caches async clients per event loop and never closes them; a host that runs handlers in
short-lived loops (``asyncio.run`` per message) leaks a socket per loop unless it calls this first.
"""

from __future__ import annotations

import sys


async def aclose_clients() -> None:
    """Close LiteLLM's async clients bound to the running loop; a no-op if LiteLLM was never used."""
    if "litellm" not in sys.modules:
        return
    from llm_resolver.backend.loader import litellm

    await litellm().close_litellm_async_clients()
