"""Releasing what LiteLLM caches per event loop before the loop ends.

LiteLLM caches async clients per event loop and never closes them, and binds its logging worker (a
task draining success callbacks) to the loop that first used it; a host that runs handlers in
short-lived loops (``asyncio.run`` per message) leaks a socket per loop and, when the loop closes
with the worker still pending, prints "Task was destroyed but it is pending" and "Event loop is
closed" — unless it calls this first.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any


async def aclose_clients() -> None:
    """Close LiteLLM's async clients bound to the running loop (and forget them, so a later call in
    this loop opens fresh ones), and stop its logging worker if it runs on this loop. Clients of other
    loops are left alone: they may be in use. A no-op if LiteLLM was never used."""
    if "litellm" not in sys.modules:
        return
    from llm_resolver.backend.loader import litellm

    loop = asyncio.get_running_loop()
    cache = getattr(litellm(), "in_memory_llm_clients_cache", None)
    entries: dict[str, Any] = getattr(cache, "cache_dict", {})
    suffix = f"-{id(loop)}"  # LiteLLM keys each async client by its loop's id
    for key in [k for k in entries if isinstance(k, str) and k.endswith(suffix)]:
        client = entries.pop(key, None)
        getattr(cache, "ttl_dict", {}).pop(key, None)
        close = getattr(client, "close", None)
        if close is not None and asyncio.iscoroutinefunction(close):
            # A client that fails to close is as gone as one that closed: it is out of the cache.
            with contextlib.suppress(Exception):
                await close()
    await _stop_logging_worker(loop)


async def _stop_logging_worker(loop: asyncio.AbstractEventLoop) -> None:
    """Run the callbacks still queued, then cancel the worker task, when it is bound to this loop
    (a worker on another loop belongs to a caller still using it)."""
    module = sys.modules.get("litellm.litellm_core_utils.logging_worker")
    worker = getattr(module, "GLOBAL_LOGGING_WORKER", None)
    if worker is None or getattr(worker, "_bound_loop", None) is not loop:
        return
    await worker.flush()
    await worker.stop()
