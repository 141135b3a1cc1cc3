"""The plugin: adds ``llm-resolver serve``."""

from __future__ import annotations

from typing import Any

from llm_resolver import hookimpl


@hookimpl
def register_commands(cli: Any) -> None:
    # imported here: resolving an LLM loads this plugin too, and needs none of the server's command
    from llm_resolver_openai_server.command import add_parser

    add_parser(cli)
