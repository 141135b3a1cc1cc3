"""The first stage: what a call is given becomes a checked ``Call``, before any request.

Coercion and validation, ``before_request`` hooks, content loaders, the capability check, then the
context check that trims the chain to the models the request fits. Also each target's wire form,
built once per target and call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_resolver import structured
from llm_resolver.backend.port import Wire
from llm_resolver.backend.targets import Target
from llm_resolver.backend.wire import chat_wire
from llm_resolver.catalog.context_fit import fit_targets
from llm_resolver.content.prepare import prepare_content
from llm_resolver.errors import LLMBadRequestError
from llm_resolver.pipeline.call import Call
from llm_resolver.pipeline.checks import check_capabilities
from llm_resolver.tokens import prompt_tokens
from llm_resolver.types.context import CallContext
from llm_resolver.types.limits import check_seconds
from llm_resolver.types.request import ChatRequest, RequestLike, coerce_request
from llm_resolver.types.scope import Scope

if TYPE_CHECKING:
    from llm_resolver.pipeline.core import LLMCore

# Per-call options that are not request fields.
CALL_OPTIONS = frozenset({"deadline", "cache"})


def prepare(
    core: LLMCore,
    scope: Scope,
    charged: tuple[Scope, ...],
    request: RequestLike,
    options: dict[str, Any],
    operation: str,
) -> Call:
    config = core.config
    structured.refuse_in_stream(options, operation)
    call_options = {k: options.pop(k) for k in list(options) if k in CALL_OPTIONS}
    req = coerce_request(request, **options)
    ctx = CallContext(scope=scope, model=config.model, operation=operation, metadata=dict(req.metadata))
    if core.plugins is not None:
        req = core.plugins.before_request(req, ctx)
    req = prepare_content(req, core.plugins, core.models, config.vision)
    check_capabilities(config.model, req, core.catalog)
    deadline = check_seconds(call_options.get("deadline", config.deadline), "deadline")
    use_cache = call_options.get("cache", True)
    if not isinstance(use_cache, bool):
        raise LLMBadRequestError(f"cache= takes True or False per call, got {use_cache!r}")
    max_tokens = req.max_tokens or config.max_tokens or 0
    targets, skipped = fit_targets(core.chain, req, max_tokens, core.context_size)
    budgets = core.budget.covering(scope, charged)
    return Call(req, ctx, deadline, use_cache, budgets, targets, skipped)


def wire(core: LLMCore, call: Call, target: Target) -> Wire:
    """The request as ``target`` is sent it (a response model as that model takes it), built once."""
    built = call.wires.get(id(target))
    if built is None:
        req = structured.wire_request(call.request, target.model, core.catalog)
        built = call.wires[id(target)] = chat_wire(target, req, core.config)
    return built


def needed_context(req: ChatRequest, max_tokens: int, target: Target) -> int | None:
    """The tokens the request needs on ``target``: after a context-window error, the fallback that
    follows must hold at least this many."""
    try:
        prompt = prompt_tokens(target.model, req)
    except Exception:
        return None
    return prompt + max_tokens


def count_tokens(model: str, request: RequestLike, options: dict[str, Any]) -> int:
    """The prompt tokens ``request`` would use with ``model`` (tools included), as the context check counts."""
    return prompt_tokens(model, coerce_request(request, **options))
