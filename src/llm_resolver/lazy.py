"""``lazy_exports``: a package's public names imported on first use, so its entry point stays cheap.

Importing a plugin's entry-point module imports its package first; a package ``__init__`` that
imports the heavy parts (an HTTP server, numpy, an SDK) makes every ``llm-resolver`` command and
every first resolve pay for them, used or not.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each public name to the submodule
    (relative to ``package``, or a full ``llm_resolver.`` path for a name re-exported from elsewhere
    in the library) that defines it, imported when the name is first asked for."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = home if home.startswith("llm_resolver.") else f"{package}.{home}"
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later reads are plain attribute lookups
        return value

    return __getattr__
