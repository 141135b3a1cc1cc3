"""``LiteLLM``: the LLM protocol on LiteLLM, with hooks, resilience and cost on every path."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from typing import Any

from llm_resolver import structured
from llm_resolver.backend import calls, loader
from llm_resolver.backend.convert import message_from, refuse_withheld, usage_from, withheld
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target
from llm_resolver.catalog.context_fit import fit_targets
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.content.prepare import prepare_content
from llm_resolver.errors import LLMConnectionError, LLMError, LLMResponseError
from llm_resolver.llm.checks import check_capabilities
from llm_resolver.llm.core import LLMCore
from llm_resolver.metering import InMemoryMeter
from llm_resolver.metering.guard import CallGuard
from llm_resolver.metering.usage import counted_usage
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.redaction import redact
from llm_resolver.resilience.clock import SYSTEM_CLOCK, Clock
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.resilience.executor import CallPlan, run_async, run_sync
from llm_resolver.services import CallServices
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.streaming.async_stream import AsyncChatStream
from llm_resolver.streaming.session import CUT_MESSAGE, OpenStream, close_async, close_sync
from llm_resolver.streaming.sync_stream import SyncChatStream
from llm_resolver.tokens import prompt_tokens
from llm_resolver.tools.registry import select_tools
from llm_resolver.types.context import CallContext
from llm_resolver.types.limits import check_seconds
from llm_resolver.types.request import ChatRequest, RequestLike, coerce_request
from llm_resolver.types.responses import Attempt, ChatResponse, EmbeddingResponse, ModelInfo, Usage
from llm_resolver.types.scope import Scope
from llm_resolver.types.tool import Tool

# Per-call options that are not request fields.
CALL_OPTIONS = frozenset({"deadline", "cache"})


class LiteLLM:
    """The LLM for one scope: a small handle over the ``LLMCore`` its resolver shares between scopes.

    Safe to share between threads and tasks. Built directly (``LiteLLM(config)``) it gets a core of
    its own; ``LiteLLMResolver`` gives every scope a handle over one core.
    """

    __slots__ = ("__weakref__", "_charged", "_core", "scope")

    def __init__(
        self,
        config: LiteLLMConfig,
        scope: Scope | None = None,
        *,
        plugins: PluginManager | None = None,
        clock: Clock = SYSTEM_CLOCK,
        cooldowns: Cooldowns | None = None,
        meter: InMemoryMeter | None = None,
        services: CallServices | None = None,
    ) -> None:
        services = services or CallServices.build(config, plugins, meter)
        self._core = LLMCore(
            config, plugins=services.plugins, clock=clock, cooldowns=cooldowns, services=services
        )
        self.scope = scope or Scope()
        self._charged: tuple[Scope, ...] = ()

    @classmethod
    def over(cls, core: LLMCore, scope: Scope, charged: tuple[Scope, ...] = ()) -> LiteLLM:
        """A handle for ``scope`` on an existing core: what a resolver hands out per scope."""
        llm = cls.__new__(cls)
        llm._core, llm.scope, llm._charged = core, scope, charged
        return llm

    def charged_at(self, scope: Scope) -> LiteLLM:
        """This LLM, with every call also held to ``budget_usd`` at ``scope`` (which must cover this
        LLM's scope): how a server charges a key held to ``acme`` whatever ``acme/...`` it names."""
        if not scope.covers(self.scope):
            raise ValueError(
                f"scope {scope} does not cover {self.scope}; charge a call only to a scope above it"
            )
        return LiteLLM.over(self._core, self.scope, (*self._charged, scope))

    @property
    def core(self) -> LLMCore:
        return self._core

    @property
    def config(self) -> LiteLLMConfig:
        return self._core.config

    @property
    def model(self) -> str:
        return self._core.config.model

    @property
    def meter(self) -> InMemoryMeter:
        return self._core.services.meter

    @property
    def plugins(self) -> PluginManager | None:
        return self._core.plugins

    @property
    def tools(self) -> list[Tool]:
        """The plugin tools ``config.tools`` names (fnmatch patterns), for ``run_tools``; read lazily."""
        return select_tools(self.config.tools, self._core.plugins)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its config (each secret as its ``${VAR}``, or refused) and scope: the receiver
        builds a fresh core with its default plugins, meters and cache."""
        return _unpickle, (self.config, self.scope, self._charged)

    def __repr__(self) -> str:
        fallbacks = [t.model for t in self._core.targets[1:]]
        return f"LiteLLM(model={self.model!r}, scope={self.scope}, fallbacks={fallbacks})"

    # Public API ----------------------------------------------------------------------------------

    def complete(self, request: RequestLike, **options: Any) -> ChatResponse:
        if structured.wanted(request, options):
            return structured.complete(self._complete, request, options, self.config.structured_retries)
        return self._complete(request, **options)

    def _complete(self, request: RequestLike, **options: Any) -> ChatResponse:
        req, ctx, plan, guard = self._start(request, options, "complete")
        hit = guard.cached()
        if hit is not None:
            return hit
        with guard:
            try:
                raw, target = run_sync(
                    plan,
                    lambda t, seconds: refuse_withheld(
                        calls.complete_once(self._kwargs(t, req, seconds, stream=False)), t.model
                    ),
                    self._core.clock.sleep,
                )
            except LLMError as error:
                raise self._core.failed(error, ctx, plan) from None
            response = self._respond(raw, target, plan, ctx)
        return guard.store(response)

    async def acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        if structured.wanted(request, options):
            return await structured.acomplete(
                self._acomplete, request, options, self.config.structured_retries
            )
        return await self._acomplete(request, **options)

    async def _acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        if not loader.loaded():  # wait for LiteLLM's import off the loop, before the deadline starts
            await asyncio.to_thread(loader.litellm)
        req, ctx, plan, guard = self._start(request, options, "acomplete")
        hit = await guard.acached()
        if hit is not None:
            return hit

        async def attempt(target: Target, seconds: float) -> Any:
            raw = await calls.acomplete_once(self._kwargs(target, req, seconds, stream=False))
            return refuse_withheld(raw, target.model)

        async with guard:
            try:
                raw, target = await run_async(plan, attempt, self._core.clock.asleep)
            except LLMError as error:
                raise self._core.failed(error, ctx, plan) from None
            response = self._respond(raw, target, plan, ctx)
        return await guard.astore(response)

    def stream(self, request: RequestLike, **options: Any) -> SyncChatStream:
        req, ctx, plan, guard = self._start(request, options, "stream")

        def attempt(target: Target, seconds: float) -> OpenStream:
            kwargs = self._kwargs(target, req, seconds, stream=True) | calls.sync_stream_client(
                target, seconds
            )
            wrapper = calls.complete_once(kwargs)
            session = OpenStream(wrapper, iter(wrapper), StreamAssembler(), target)
            try:
                _read_ahead_sync(session)
            except BaseException:
                close_sync(wrapper)
                raise
            return session

        def open_stream() -> OpenStream:
            try:
                session, _ = run_sync(
                    plan, attempt, self._core.clock.sleep, lambda late: close_sync(late.wrapper)
                )
            except LLMError as error:
                raise self._core.failed(error, ctx, plan) from None
            return session

        callbacks = guard.wrap_stream(
            open_stream, lambda s: self._finish_stream(s, req, plan, ctx), self._broken(req, ctx, plan)
        )
        return guard.watch(SyncChatStream(*callbacks))

    def astream(self, request: RequestLike, **options: Any) -> AsyncChatStream:
        req, ctx, plan, guard = self._start(request, options, "astream")

        async def open_one(target: Target, seconds: float) -> OpenStream:
            wrapper = await calls.acomplete_once(self._kwargs(target, req, seconds, stream=True))
            session = OpenStream(wrapper, wrapper.__aiter__(), StreamAssembler(), target)
            try:
                await _read_ahead_async(session)
            except BaseException:
                await close_async(wrapper)
                raise
            return session

        async def attempt(target: Target, seconds: float) -> OpenStream:
            if calls.stream_ignores_timeout(target):  # its shared async client has no timeout of ours
                return await asyncio.wait_for(open_one(target, seconds), seconds)
            return await open_one(target, seconds)

        async def open_stream() -> OpenStream:
            try:
                session, _ = await run_async(plan, attempt, self._core.clock.asleep)
            except LLMError as error:
                raise self._core.failed(error, ctx, plan) from None
            return session

        callbacks = guard.wrap_astream(
            open_stream, lambda s: self._finish_stream(s, req, plan, ctx), self._broken(req, ctx, plan)
        )
        return guard.watch(AsyncChatStream(*callbacks))

    def embed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        """Vectors in input order; options: ``model``, ``dimensions``, ``deadline``, ``provider_options``."""
        return self._core.embedder.embed(texts, options, self.scope)

    async def aembed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        return await self._core.embedder.aembed(texts, options, self.scope)

    def count_tokens(self, request: RequestLike, **options: Any) -> int:
        """The prompt tokens ``request`` would use with this LLM's model (tools included)."""
        return prompt_tokens(self.model, coerce_request(request, **options))

    def info(self) -> ModelInfo:
        """What the config's ``model_info`` and LiteLLM's bundled map know about the primary model."""
        return self._core.catalog.info(self.model)

    # Pipeline ------------------------------------------------------------------------------------

    def _start(
        self, request: RequestLike, options: dict[str, Any], operation: str
    ) -> tuple[ChatRequest, CallContext, CallPlan, CallGuard]:
        structured.refuse_in_stream(options, operation)
        call_options = {k: options.pop(k) for k in list(options) if k in CALL_OPTIONS}
        req = coerce_request(request, **options)
        ctx = CallContext(
            scope=self.scope, model=self.model, operation=operation, metadata=dict(req.metadata)
        )
        if self._core.plugins is not None:
            req = self._core.plugins.before_request(req, ctx)
        req = prepare_content(
            req, self._core.plugins, [t.model for t in self._core.targets], self.config.vision
        )
        check_capabilities(self.model, req, self._core.catalog)
        deadline = check_seconds(call_options.get("deadline", self.config.deadline), "deadline")
        budgets = self._core.budgets(self.scope, self._charged)
        guard = self._core.accounting.begin(req, ctx, budgets, call_options.get("cache", True))
        return req, ctx, self._plan(req, ctx, deadline), guard

    def _plan(self, req: ChatRequest, ctx: CallContext, deadline: float | None) -> CallPlan:
        def needed_context(target: Target) -> int | None:
            try:
                prompt = prompt_tokens(target.model, req)
            except Exception:
                return None
            return prompt + (req.max_tokens or self.config.max_tokens or 0)

        max_tokens = req.max_tokens or self.config.max_tokens or 0
        targets, skipped = fit_targets(self._core.targets, req, max_tokens, self._core.catalog.context_size)
        plan = CallPlan(
            targets,
            self.config.retry,
            clock=self._core.clock,
            cooldowns=self._core.cooldowns,
            deadline=deadline,
            secrets=self._core.secrets,
            on_attempt_error=functools.partial(self._core.attempt_failed, ctx),
            needed_context=needed_context,
            context_size=lambda t: self._core.catalog.context_size(t.model),
            rng=self._core.rng,
        )
        plan.attempts.extend(skipped)
        return plan

    def _kwargs(self, target: Target, req: ChatRequest, timeout: float, *, stream: bool) -> dict[str, Any]:
        req = structured.wire_request(req, target.model, self._core.catalog)
        return calls.chat_kwargs(target, req, self.config, timeout=timeout, stream=stream)

    def _respond(self, raw: Any, target: Target, plan: CallPlan, ctx: CallContext) -> ChatResponse:
        message, finish = message_from(raw, target.model)
        usage = usage_from(raw) or Usage()
        response = ChatResponse(
            message=message,
            finish_reason=finish,
            model=target.model,
            usage=usage,
            cost_usd=price(target, usage),
            attempts=list(plan.attempts),
            raw=raw,
        )
        self._core.record(ctx, target, usage, response.cost_usd, plan.attempts[-1].latency_s, "ok")
        self._core.notify("after_response", response=response, context=ctx)
        return response

    def _finish_stream(
        self, session: OpenStream, req: ChatRequest, plan: CallPlan, ctx: CallContext
    ) -> ChatResponse:
        asm, target = session.assembler, session.target
        usage = asm.usage or counted_usage(target.model, req, asm.text)
        response = ChatResponse(
            message=asm.message(),
            finish_reason=asm.finish_reason,
            model=target.model,
            usage=usage,
            cost_usd=price(target, usage),
            attempts=list(plan.attempts),
        )
        self._core.record(ctx, target, usage, response.cost_usd, plan.attempts[-1].latency_s, "ok")
        self._core.notify("after_response", response=response, context=ctx)
        return response

    def _broken(self, req: ChatRequest, ctx: CallContext, plan: CallPlan) -> Any:
        def broken(session: OpenStream, exc: BaseException) -> LLMError:
            # The provider bills what it streamed before the break: count it.
            usage = session.assembler.usage or counted_usage(
                session.target.model, req, session.assembler.text
            )
            self._core.record(
                ctx, session.target, usage, price(session.target, usage), 0.0, "error", "LLMConnectionError"
            )
            error = LLMConnectionError(
                f"the stream from {session.target.model} broke after {len(session.assembler.text)} characters "
                f"({type(exc).__name__}); the partial text is on the error as partial_text; chunks already "
                "delivered are not sent again",
                detail=redact(str(exc), self._core.secrets)[:300] or None,
                model=session.target.model,
                partial_text=session.assembler.text,
                retryable=False,
            )
            # The attempt that opened the stream counted as ok; it ended in this error after all.
            attempts = list(plan.attempts)
            broke = {"outcome": "error", "error_type": "LLMConnectionError"}
            if attempts and attempts[-1].outcome == "ok":
                attempts[-1] = attempts[-1].model_copy(update=broke)
            else:
                attempts.append(Attempt(model=session.target.model, **broke))
            error.attempts = attempts
            self._core.notify("on_error", error=error, context=ctx)
            return error

        return broken


def _unpickle(config: LiteLLMConfig, scope: Scope, charged: tuple[Scope, ...]) -> LiteLLM:
    return LiteLLM.over(LiteLLM(config).core, scope, charged)


def _read_ahead_sync(session: OpenStream) -> None:
    """Read until the first chunk with content, so failures before it can be retried (chunks without
    content, a finish reason alone, are held back with it)."""
    for raw in session.iterator:
        chunk = session.assembler.add(raw)
        if chunk is not None:
            session.buffered.append(chunk)
            if chunk.text or chunk.tool_calls:
                return
    _exhausted(session)


async def _read_ahead_async(session: OpenStream) -> None:
    async for raw in session.iterator:
        chunk = session.assembler.add(raw)
        if chunk is not None:
            session.buffered.append(chunk)
            if chunk.text or chunk.tool_calls:
                return
    _exhausted(session)


def _exhausted(session: OpenStream) -> None:
    """A stream that ended before its first chunk; if the provider never finished it, nothing reached
    the caller yet, so it is a retryable bad reply rather than an empty answer; if the content filter
    finished it, a content-policy refusal."""
    session.exhausted = True
    if session.cut_short():
        raise LLMResponseError(
            f"{session.target.model}: {CUT_MESSAGE} before any content; this is usually transient",
            model=session.target.model,
            retryable=True,
        )
    if session.assembler.finish_reason == "content_filter":
        raise withheld(session.target.model)
