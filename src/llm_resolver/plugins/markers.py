"""The pluggy markers: plugins decorate their hook functions with ``hookimpl``."""

import pluggy

PROJECT = "llm_resolver"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
