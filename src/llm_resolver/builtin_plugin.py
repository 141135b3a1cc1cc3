"""The package's own plugin: registers the built-in resolver through the same entry-point group."""

from __future__ import annotations

from collections.abc import Callable

from llm_resolver.plugins.markers import hookimpl


@hookimpl
def register_resolvers(register: Callable[[str, type], None]) -> None:
    from llm_resolver.resolution.litellm_resolver import LiteLLMResolver

    register("litellm", LiteLLMResolver)
