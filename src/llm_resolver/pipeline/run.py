"""A call through the stages: prepare → cache → budget → attempts → observe → store; a call asking
for structured output runs them once per try (``structured`` re-asks on an invalid reply)."""

from __future__ import annotations

import asyncio
from typing import Any

from llm_resolver import structured
from llm_resolver.backend import loader
from llm_resolver.pipeline import attempts
from llm_resolver.pipeline.core import LLMCore
from llm_resolver.pipeline.prepare import prepare
from llm_resolver.types.request import RequestLike
from llm_resolver.types.responses import ChatResponse
from llm_resolver.types.scope import Scope


def complete(
    core: LLMCore, scope: Scope, charged: tuple[Scope, ...], request: RequestLike, options: dict[str, Any]
) -> ChatResponse:
    if structured.wanted(request, options):

        def one_try(request: RequestLike, **options: Any) -> ChatResponse:
            return _complete(core, scope, charged, request, options)

        return structured.complete(one_try, request, options, core.config.structured_retries)
    return _complete(core, scope, charged, request, options)


async def acomplete(
    core: LLMCore, scope: Scope, charged: tuple[Scope, ...], request: RequestLike, options: dict[str, Any]
) -> ChatResponse:
    if structured.wanted(request, options):

        async def one_try(request: RequestLike, **options: Any) -> ChatResponse:
            return await _acomplete(core, scope, charged, request, options)

        return await structured.acomplete(one_try, request, options, core.config.structured_retries)
    return await _acomplete(core, scope, charged, request, options)


def _complete(
    core: LLMCore, scope: Scope, charged: tuple[Scope, ...], request: RequestLike, options: dict[str, Any]
) -> ChatResponse:
    call = prepare(core, scope, charged, request, options, "complete")
    hit = core.cache.get(core, call)
    if hit is not None:
        return hit
    with core.budget.hold(call):
        plan = attempts.plan(core, call)
        reply, target = attempts.send(core, call, plan)
        response = core.observe.replied(reply, target, plan, call.ctx)
    return core.cache.store(call, response)


async def _acomplete(
    core: LLMCore, scope: Scope, charged: tuple[Scope, ...], request: RequestLike, options: dict[str, Any]
) -> ChatResponse:
    if not loader.loaded():  # wait for LiteLLM's import off the loop, before the deadline starts
        await asyncio.to_thread(loader.litellm)
    call = prepare(core, scope, charged, request, options, "acomplete")
    hit = await core.cache.aget(core, call)
    if hit is not None:
        return hit
    async with core.budget.hold(call):
        plan = attempts.plan(core, call)
        reply, target = await attempts.asend(core, call, plan)
        response = core.observe.replied(reply, target, plan, call.ctx)
    return await core.cache.astore(call, response)
