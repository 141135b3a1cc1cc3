"""Lazy access to LiteLLM: imported on first use, never at ``import llm_resolver``."""

from __future__ import annotations

import functools
import os
from types import ModuleType


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
    import litellm as module

    loaded: ModuleType = module
    return loaded
