"""Time as a dependency, so tests can run the retry logic on a fake clock."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple


async def _asleep(seconds: float) -> None:
    """``asyncio.sleep``, imported when awaited: the system clock is built at resolve time, which
    otherwise would not import asyncio."""
    import asyncio

    await asyncio.sleep(seconds)


class Clock(NamedTuple):
    """Immutable, and a named tuple rather than a frozen dataclass, whose six generated methods are
    compiled when this module is imported at the first resolve (about 1.5 ms here)."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    asleep: Callable[[float], Awaitable[None]] = _asleep


# Shared by every LLM not given a clock: frozen and stateless, the process's own time.
SYSTEM_CLOCK = Clock()
