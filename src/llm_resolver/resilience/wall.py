"""A wall-clock bound for one sync attempt: LiteLLM's ``timeout`` bounds each network read, not the
attempt (a cold client's set-up, a slow drip of bytes), so under a deadline the attempt runs on its
own thread and the call stops waiting for it when the deadline comes."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def call_within(fn: Callable[[], T], seconds: float | None, discard: Callable[[T], None] | None = None) -> T:
    """``fn()``, or ``TimeoutError`` after ``seconds`` (None: no bound, run it here). A result that
    arrives after that goes to ``discard`` (a stream opened too late is closed), never to the caller."""
    if seconds is None:
        return fn()
    context = contextvars.copy_context()  # the caller's tracing spans and other context come along
    outcome: dict[str, Any] = {}
    lock = threading.Lock()
    done = threading.Event()
    state = {"abandoned": False}

    def run() -> None:
        try:
            outcome["result"] = context.run(fn)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            outcome["error"] = exc
        with lock:
            late = state["abandoned"]
            done.set()
        if late and "result" in outcome and discard is not None:
            discard(outcome["result"])

    threading.Thread(target=run, name="llm-resolver-attempt", daemon=True).start()
    if not done.wait(seconds):
        with lock:
            if not done.is_set():
                state["abandoned"] = True
                raise TimeoutError(
                    f"the attempt was still running when the call's deadline came ({seconds:.2f}s)"
                )
    if "error" in outcome:
        raise outcome["error"]
    result: T = outcome["result"]
    return result
