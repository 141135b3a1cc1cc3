"""Lazy access to LiteLLM: imported on first use, never at ``import llm_resolver``."""

from __future__ import annotations

import functools
import os
from types import ModuleType


@functools.cache
def litellm() -> ModuleType:
    """The litellm module (the import system's module lock makes concurrent first calls safe)."""
    # Without these LiteLLM fetches its price map during import, and Anthropic's beta-header table on
    # the first Anthropic call, over the network (seconds of stall offline). They are process
    # environment defaults, not LiteLLM state; a user's own setting wins.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")
    import litellm as module

    loaded: ModuleType = module
    return loaded
