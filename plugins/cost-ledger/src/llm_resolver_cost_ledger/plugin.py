"""The plugin: the ``ledger`` cost meter and the ``costs`` command."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_resolver import hookimpl

if TYPE_CHECKING:
    from llm_resolver_cost_ledger.ledger import Ledger


def ledger_meter(
    path: str | os.PathLike[str] | None = None, timeout: float = 10.0, hold_ttl: float = 3600.0
) -> Ledger:
    """The ``ledger`` meter's factory (``Ledger``'s own options). The ledger's module, with sqlite3 and
    the metering types, is imported when an LLM names the meter, not whenever the registry is built."""
    from llm_resolver_cost_ledger.ledger import Ledger

    return Ledger(path=path, timeout=timeout, hold_ttl=hold_ttl)


@hookimpl
def register_cost_meters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    register("ledger", ledger_meter)


@hookimpl
def register_commands(cli: Any) -> None:
    # imported here: resolving an LLM loads this plugin too, and needs none of the command's reports
    from llm_resolver_cost_ledger.command import add_parser

    add_parser(cli)
