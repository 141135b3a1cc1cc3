"""A SQLite cost ledger for llm-resolver: persistent spend per scope and machine-wide budgets."""

from llm_resolver_cost_ledger.ledger import Ledger
from llm_resolver_cost_ledger.paths import LEDGER_VAR, default_ledger_path

__all__ = ["LEDGER_VAR", "Ledger", "default_ledger_path"]
