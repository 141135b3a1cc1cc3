"""Hook specifications. Hooks are synchronous and cheap; anything slow lives in what they return.

Each hook is documented in docs/plugins.md; a test fails when one is missing there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_resolver.plugins.markers import hookspec

if TYPE_CHECKING:
    from collections.abc import Callable

    from llm_resolver.types.context import CallContext
    from llm_resolver.types.request import ChatRequest
    from llm_resolver.types.responses import ChatResponse


@hookspec
def register_resolvers(register: Callable[[str, type], None]) -> None:
    """Call ``register(name, resolver_class)`` for each short name usable as ``DependencySpec.class_name``."""


@hookspec
def register_tools(register: Callable[..., None]) -> None:
    """Call ``register(tool_or_function, name=None)``; tools are namespaced ``plugin.tool``."""


@hookspec
def register_content_loaders(register: Callable[[Any], None]) -> None:
    """Call ``register(loader)`` for loaders that turn a source into content parts (vision inputs)."""


@hookspec
def register_cost_meters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Call ``register(name, factory)`` for meters that see every usage event and may veto a call."""


@hookspec
def register_cache_backends(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Call ``register(name, factory)`` for response-cache backends, used as ``cache: {backend: name}``
    (or ``"name://…"``); ``factory(**options)`` returns an object with ``get``, ``set`` and ``blocking``."""


@hookspec
def before_request(request: ChatRequest, context: CallContext) -> ChatRequest | None:
    """Return a changed request, or None to leave it as it is. Implementations run in turn (pluggy's
    order: the last registered first), each seeing the previous one's result."""


@hookspec
def after_response(response: ChatResponse, context: CallContext) -> None:
    """Observe every successful response (streams once assembled)."""


@hookspec
def on_error(error: Exception, context: CallContext) -> None:
    """Observe every failed attempt, retried or not, and the final error of a call."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add sub-commands to the ``llm-resolver`` CLI; ``cli`` is the argparse sub-parsers object."""
