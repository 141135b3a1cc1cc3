"""Time as a dependency, so tests can run the retry logic on a fake clock."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


async def _asleep(seconds: float) -> None:
    """``asyncio.sleep``, imported when awaited: the system clock is built at resolve time, which
    otherwise would not import asyncio."""
    import asyncio

    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Clock:
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    asleep: Callable[[float], Awaitable[None]] = _asleep


# Shared by every LLM not given a clock: frozen and stateless, the process's own time.
SYSTEM_CLOCK = Clock()
