"""The plugin: the ``ledger`` cost meter and the ``costs`` command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llm_resolver import hookimpl
from llm_resolver_cost_ledger.command import add_parser


@hookimpl
def register_cost_meters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    # imported here, not at load: the ledger's module pulls in the metering types (pydantic)
    from llm_resolver_cost_ledger.ledger import Ledger

    register("ledger", Ledger)


@hookimpl
def register_commands(cli: Any) -> None:
    add_parser(cli)
