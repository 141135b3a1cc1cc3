"""``lazy_exports``: a package's public names imported on first use, so its entry point stays cheap.

Importing a plugin's entry-point module imports its package first; a package ``__init__`` that
imports the heavy parts (an HTTP server, numpy, an SDK) makes every ``llm-resolver`` command and
every first resolve pay for them, used or not.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each public name to the submodule
    (relative to ``package``) that defines it, imported when the name is first asked for."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home}"), name)

    return __getattr__
