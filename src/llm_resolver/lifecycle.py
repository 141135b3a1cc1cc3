"""Releasing what LiteLLM caches per event loop before the loop ends.

LiteLLM caches async clients per event loop and never closes them, and binds its logging worker (a
task draining success callbacks) to the loop that first used it; a host that runs handlers in
short-lived loops (``asyncio.run`` per message) leaks a socket per loop and, when the loop closes
with the worker still pending, prints "Task was destroyed but it is pending" and "Event loop is
closed" — unless it calls this first.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any


async def aclose_clients() -> None:
    """Close LiteLLM's cached async clients (LiteLLM's own cleanup), forget the running loop's so a
    later call in this loop opens fresh ones, and stop LiteLLM's logging worker if it runs on this
    loop. A no-op if LiteLLM was never used."""
    if "litellm" not in sys.modules:
        return
    from llm_resolver.backend.loader import litellm

    loop = asyncio.get_running_loop()
    await litellm().close_litellm_async_clients()
    # LiteLLM's cleanup closes its cached clients but keeps them cached: a later call in this loop
    # would get a closed client. Forget this loop's, so the next call opens fresh ones.
    cache = getattr(litellm(), "in_memory_llm_clients_cache", None)
    entries: dict[str, Any] = getattr(cache, "cache_dict", {})
    suffix = f"-{id(loop)}"  # LiteLLM keys each async client by its loop's id
    for key in [k for k in entries if isinstance(k, str) and k.endswith(suffix)]:
        entries.pop(key, None)
        getattr(cache, "ttl_dict", {}).pop(key, None)
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
