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
from collections.abc import Callable
from types import ModuleType

log = logging.getLogger("llm_resolver.backend")
_started = threading.Lock()
_thread: threading.Thread | None = None


def set_offline_defaults() -> None:
    """Without these LiteLLM fetches its price map while it is imported, and Anthropic's beta-header
    table on the first Anthropic call, over the network (seconds of stall and retry warnings offline).
    They are process environment defaults, not LiteLLM state, and a user's own setting wins. They are
    set when ``llm_resolver`` is imported, so an application importing LiteLLM itself afterwards (to
    set ``litellm.suppress_debug_info``, say) gets them too."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")


set_offline_defaults()


@functools.cache
def litellm() -> ModuleType:
    """The litellm module (the import system's module lock makes concurrent first calls safe)."""
    started = time.perf_counter()
    import litellm as module

    log.debug("LiteLLM imported in %.2fs", time.perf_counter() - started)
    loaded: ModuleType = module
    return loaded


def loaded() -> bool:
    return litellm.cache_info().currsize > 0


def begin_import(first: Callable[[], object] | None = None) -> None:
    """Start importing LiteLLM on a daemon thread, once per process; a no-op once it is imported.

    ``first`` runs on that thread before it: the caller's own modules that a first call needs too."""
    global _thread
    if loaded():
        return
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_import, args=(first,), name="llm-resolver-import", daemon=True)
            _thread.start()


def _import(first: Callable[[], object] | None) -> None:
    if first is not None:
        started = time.perf_counter()
        try:
            first()
        except Exception:  # the call that needs those modules imports them again, and raises there
            log.debug("importing ahead of the first call failed", exc_info=True)
        log.debug("call path imported in %.2fs", time.perf_counter() - started)
    litellm()


def wait_for_import() -> None:
    """Block until the background import has finished, if one runs: before a fork, and before work
    that compiles source itself (CPython 3.11's compiler can fail with "AST constructor recursion
    depth mismatch" when two threads compile at once, as they do when no bytecode cache exists)."""
    thread = _thread
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join()


os.register_at_fork(before=wait_for_import)
