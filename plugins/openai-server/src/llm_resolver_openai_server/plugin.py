"""The plugin: adds ``llm-resolver serve``."""

from __future__ import annotations

from typing import Any

from llm_resolver import hookimpl
from llm_resolver_openai_server.command import add_parser


@hookimpl
def register_commands(cli: Any) -> None:
    add_parser(cli)
