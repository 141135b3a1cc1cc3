"""Lazy access to LiteLLM: imported on first use, never at ``import llm_resolver``.

Its import takes seconds, so resolving an LLM starts it on a background thread (``begin_import``):
by the first call it is usually done, and a call that still has to wait does so before its deadline
starts. A process that forks waits for that import to finish first, so no child inherits a
half-imported module.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from types import ModuleType

log = logging.getLogger("llm_resolver.backend")
_started = threading.Lock()
_thread: threading.Thread | None = None


@functools.cache
def litellm() -> ModuleType:
    """The litellm module (the import system's module lock makes concurrent first calls safe)."""
    # Without these LiteLLM fetches its price map during import, and Anthropic's beta-header table on
    # the first Anthropic call, over the network (seconds of stall offline). They are process
    # environment defaults, not LiteLLM state; a user's own setting wins.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")
    started = time.perf_counter()
    import litellm as module

    log.debug("LiteLLM imported in %.2fs", time.perf_counter() - started)
    loaded: ModuleType = module
    return loaded


def loaded() -> bool:
    return litellm.cache_info().currsize > 0


def begin_import() -> None:
    """Start importing LiteLLM on a daemon thread, once per process; a no-op once it is imported."""
    global _thread
    if loaded():
        return
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=litellm, name="llm-resolver-import", daemon=True)
            _thread.start()


def _finish_import() -> None:
    thread = _thread
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join()


os.register_at_fork(before=_finish_import)
