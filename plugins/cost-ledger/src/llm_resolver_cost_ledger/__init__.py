"""A SQLite cost ledger for llm-resolver: persistent spend per scope and machine-wide budgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_resolver.plugins import lazy_exports
from llm_resolver_cost_ledger.paths import LEDGER_VAR, default_ledger_path

if TYPE_CHECKING:
    from llm_resolver_cost_ledger.ledger import Ledger

__all__ = ["LEDGER_VAR", "Ledger", "default_ledger_path"]
# The ledger pulls in the metering types: loading the plugin (every command) must not.
__getattr__ = lazy_exports(__name__, {"Ledger": "ledger"})
