"""Where the ledger lives when no path is given: ``LLM_RESOLVER_LEDGER``, else the user's data directory."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

LEDGER_VAR = "LLM_RESOLVER_LEDGER"
FILE_NAME = "ledger.sqlite3"


def default_ledger_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(LEDGER_VAR):
        return Path(env[LEDGER_VAR]).expanduser()
    return user_data_dir(env) / "llm-resolver" / FILE_NAME


def user_data_dir(env: Mapping[str, str]) -> Path:
    """The platform's per-user data directory (XDG on Linux and other Unixes)."""
    home = Path(env.get("HOME") or Path.home())
    if sys.platform == "win32":
        return Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
