"""Lazy access to LiteLLM: imported on first use, never at ``import llm_resolver``."""

from __future__ import annotations

import functools
import os
from types import ModuleType


@functools.cache
def litellm() -> ModuleType:
    """The litellm module (the import system's module lock makes concurrent first calls safe)."""
    # Without this LiteLLM fetches its price map over the network during import (up to 8 s offline).
    # It is a process environment default, not LiteLLM state; a user's own setting wins.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm as module

    loaded: ModuleType = module
    return loaded
