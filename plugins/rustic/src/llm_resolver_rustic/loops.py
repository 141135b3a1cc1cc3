"""Rustic runs each async processor in a loop of its own (``asyncio.run`` per message, or a new
thread and loop), so whatever LiteLLM caches for a loop must be released before the loop ends.

The last of our calls in flight on a loop releases it; calls running together on one loop keep
their clients until the last one is done. ``aclose_clients`` runs LiteLLM's cleanup, which closes every
cached async client: exact under Rustic's one-thread sync engine (see docs/hosts.md for threaded hosts).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

from llm_resolver import aclose_clients

_in_flight: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def released_after() -> AsyncIterator[None]:
    """Around one async call: when it is the last in flight on this loop, close this loop's clients."""
    loop = asyncio.get_running_loop()  # a loop runs on one thread: no lock needed for its count
    _in_flight[loop] = _in_flight.get(loop, 0) + 1
    try:
        yield
    finally:
        _in_flight[loop] -= 1
        if not _in_flight[loop]:
            del _in_flight[loop]
            await aclose_clients()
