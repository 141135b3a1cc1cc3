"""``LiteLLM``: the LLM protocol on LiteLLM, with hooks, resilience and cost on every path."""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from typing import Any

from llm_resolver import structured
from llm_resolver.backend import calls, catalog
from llm_resolver.backend.convert import message_from, usage_from
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target, targets_for
from llm_resolver.catalog.context_fit import fit_targets, prompt_tokens
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.embeddings import Embedder
from llm_resolver.errors import LLMBadRequestError, LLMConnectionError, LLMError, LLMResponseError
from llm_resolver.llm.checks import check_capabilities
from llm_resolver.metering import InMemoryMeter, UsageEvent
from llm_resolver.metering.events import EventOutcome
from llm_resolver.metering.guard import Accounting, CallGuard
from llm_resolver.metering.services import CallServices
from llm_resolver.metering.usage import counted_usage
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.redaction import redact
from llm_resolver.resilience.clock import SYSTEM_CLOCK, Clock
from llm_resolver.resilience.cooldown import PROCESS_COOLDOWNS, Cooldowns
from llm_resolver.resilience.executor import CallPlan, run_async, run_sync
from llm_resolver.resolution.scope import Scope
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.streaming.async_stream import AsyncChatStream
from llm_resolver.streaming.session import CUT_MESSAGE, OpenStream, close_async, close_sync
from llm_resolver.streaming.sync_stream import SyncChatStream
from llm_resolver.tools.registry import select_tools
from llm_resolver.types.context import CallContext
from llm_resolver.types.request import ChatRequest, RequestLike, coerce_request
from llm_resolver.types.responses import ChatResponse, EmbeddingResponse, ModelInfo, Usage
from llm_resolver.types.tool import Tool
from llm_resolver.vision.resolve import prepare_content

# Per-call options that are not request fields.
CALL_OPTIONS = frozenset({"deadline", "cache"})


class LiteLLM:
    """Built by ``LiteLLMResolver`` for one scope; safe to share between threads and tasks."""

    def __init__(
        self,
        config: LiteLLMConfig,
        scope: Scope | None = None,
        *,
        plugins: PluginManager | None = None,
        clock: Clock = SYSTEM_CLOCK,
        cooldowns: Cooldowns = PROCESS_COOLDOWNS,
        meter: InMemoryMeter | None = None,
        services: CallServices | None = None,
    ) -> None:
        self.config = config
        self.model = config.model
        self.scope = scope or Scope()
        self._plugins = plugins
        self._clock = clock
        self._cooldowns = cooldowns
        self._catalog = ModelCatalog.from_config(config)
        self._targets = self._catalog.priced(targets_for(config))
        self._secrets = config.secret_values()
        self._rng = random.Random()  # noqa: S311 - jitter, not security
        services = services or CallServices.build(config, plugins, meter)
        self.meter = services.meter
        self._accounting = Accounting(config, self._targets, self.scope, services, self._notify)
        self._embedder = Embedder(
            config,
            self._catalog,
            scope=self.scope,
            clock=clock,
            cooldowns=cooldowns,
            secrets=self._secrets,
            rng=self._rng,
            record=self._record,
            failed=self._failed,
            attempt_failed=self._attempt_failed,
        )

    @property
    def plugins(self) -> PluginManager | None:
        return self._plugins

    @property
    def tools(self) -> list[Tool]:
        """The plugin tools ``config.tools`` names (fnmatch patterns), for ``run_tools``; read lazily."""
        return select_tools(self.config.tools, self._plugins)

    def __repr__(self) -> str:
        return f"LiteLLM(model={self.model!r}, scope={self.scope}, fallbacks={[t.model for t in self._targets[1:]]})"

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
                    lambda t, seconds: calls.complete_once(self._kwargs(t, req, seconds, stream=False)),
                    self._clock.sleep,
                )
            except LLMError as error:
                raise self._failed(error, ctx, plan) from None
            response = self._respond(raw, target, plan, ctx)
        return guard.store(response)

    async def acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        if structured.wanted(request, options):
            return await structured.acomplete(
                self._acomplete, request, options, self.config.structured_retries
            )
        return await self._acomplete(request, **options)

    async def _acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        req, ctx, plan, guard = self._start(request, options, "acomplete")
        hit = await guard.acached()
        if hit is not None:
            return hit

        async def attempt(target: Target, seconds: float) -> Any:
            return await calls.acomplete_once(self._kwargs(target, req, seconds, stream=False))

        with guard:
            try:
                raw, target = await run_async(plan, attempt, self._clock.asleep)
            except LLMError as error:
                raise self._failed(error, ctx, plan) from None
            response = self._respond(raw, target, plan, ctx)
        return await guard.astore(response)

    def stream(self, request: RequestLike, **options: Any) -> SyncChatStream:
        req, ctx, plan, guard = self._start(request, options, "stream")

        def attempt(target: Target, seconds: float) -> OpenStream:
            wrapper = calls.complete_once(self._kwargs(target, req, seconds, stream=True))
            session = OpenStream(wrapper, iter(wrapper), StreamAssembler(), target)
            try:
                _read_ahead_sync(session)
            except BaseException:
                close_sync(wrapper)
                raise
            return session

        def open_stream() -> OpenStream:
            try:
                session, _ = run_sync(plan, attempt, self._clock.sleep)
            except LLMError as error:
                raise self._failed(error, ctx, plan) from None
            return session

        callbacks = guard.wrap_stream(
            open_stream, lambda s: self._finish_stream(s, req, plan, ctx), self._broken(req, ctx)
        )
        return guard.watch(SyncChatStream(*callbacks))

    def astream(self, request: RequestLike, **options: Any) -> AsyncChatStream:
        req, ctx, plan, guard = self._start(request, options, "astream")

        async def attempt(target: Target, seconds: float) -> OpenStream:
            wrapper = await calls.acomplete_once(self._kwargs(target, req, seconds, stream=True))
            session = OpenStream(wrapper, wrapper.__aiter__(), StreamAssembler(), target)
            try:
                await _read_ahead_async(session)
            except BaseException:
                await close_async(wrapper)
                raise
            return session

        async def open_stream() -> OpenStream:
            try:
                session, _ = await run_async(plan, attempt, self._clock.asleep)
            except LLMError as error:
                raise self._failed(error, ctx, plan) from None
            return session

        callbacks = guard.wrap_astream(
            open_stream, lambda s: self._finish_stream(s, req, plan, ctx), self._broken(req, ctx)
        )
        return guard.watch(AsyncChatStream(*callbacks))

    def embed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        """Vectors in input order; options: ``model``, ``dimensions``, ``deadline``, ``provider_options``."""
        return self._embedder.embed(texts, options)

    async def aembed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        return await self._embedder.aembed(texts, options)

    def count_tokens(self, request: RequestLike, **options: Any) -> int:
        """The prompt tokens ``request`` would use with this LLM's model (tools included)."""
        return prompt_tokens(self.model, coerce_request(request, **options))

    def info(self) -> ModelInfo:
        """What the config's ``model_info`` and LiteLLM's bundled map know about the primary model."""
        return self._catalog.info(self.model)

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
        if self._plugins is not None:
            req = self._plugins.before_request(req, ctx)
        req = prepare_content(req, self._plugins, [t.model for t in self._targets], self.config.vision)
        check_capabilities(self.model, req, self._catalog)
        deadline = call_options.get("deadline", self.config.deadline)
        if deadline is not None and (not isinstance(deadline, int | float) or deadline <= 0):
            raise LLMBadRequestError(f"deadline must be a positive number of seconds, got {deadline!r}")
        guard = self._accounting.begin(req, ctx, call_options.get("cache", True))
        return req, ctx, self._plan(req, ctx, deadline), guard

    def _plan(self, req: ChatRequest, ctx: CallContext, deadline: float | None) -> CallPlan:
        def needed_context(target: Target) -> int | None:
            try:
                prompt = catalog.count_tokens(target.model, req.messages_openai())
            except Exception:
                return None
            return prompt + (req.max_tokens or self.config.max_tokens or 0)

        max_tokens = req.max_tokens or self.config.max_tokens or 0
        targets, skipped = fit_targets(self._targets, req, max_tokens, self._catalog.context_size)
        plan = CallPlan(
            targets,
            self.config.retry,
            clock=self._clock,
            cooldowns=self._cooldowns,
            deadline=deadline,
            secrets=self._secrets,
            on_attempt_error=functools.partial(self._attempt_failed, ctx),
            needed_context=needed_context,
            context_size=lambda t: self._catalog.context_size(t.model),
            rng=self._rng,
        )
        plan.attempts.extend(skipped)
        return plan

    def _kwargs(self, target: Target, req: ChatRequest, timeout: float, *, stream: bool) -> dict[str, Any]:
        req = structured.wire_request(req, target.model, self._catalog)
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
        self._record(ctx, target, usage, response.cost_usd, plan.attempts[-1].latency_s, "ok")
        self._notify("after_response", response=response, context=ctx)
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
        self._record(ctx, target, usage, response.cost_usd, plan.attempts[-1].latency_s, "ok")
        self._notify("after_response", response=response, context=ctx)
        return response

    def _broken(self, req: ChatRequest, ctx: CallContext) -> Any:
        def broken(session: OpenStream, exc: BaseException) -> LLMError:
            # The provider bills what it streamed before the break: count it.
            usage = session.assembler.usage or counted_usage(
                session.target.model, req, session.assembler.text
            )
            self._record(
                ctx, session.target, usage, price(session.target, usage), 0.0, "error", "LLMConnectionError"
            )
            error = LLMConnectionError(
                f"the stream from {session.target.model} broke after {len(session.assembler.text)} characters "
                f"({type(exc).__name__}: {redact(str(exc), self._secrets)[:200]}); the partial text is on "
                "the error as partial_text; chunks already delivered are not sent again",
                model=session.target.model,
                partial_text=session.assembler.text,
                retryable=False,
            )
            self._notify("on_error", error=error, context=ctx)
            return error

        return broken

    def _attempt_failed(self, ctx: CallContext, error: LLMError, target: Target, latency_s: float) -> None:
        """One failed attempt, chat or embedding: metered (a zero-cost error event) and shown to on_error."""
        ctx.attempt_model = target.model
        ctx.attempt_number += 1
        self._record(ctx, target, Usage(), 0.0, latency_s, "error", type(error).__name__)
        self._notify("on_error", error=error, context=ctx)

    def _failed(self, error: LLMError, ctx: CallContext, plan: CallPlan) -> LLMError:
        """Tell ``on_error`` about the final error unless it already saw it as a failed attempt."""
        if not any(error is seen for seen in plan.errors):
            self._notify("on_error", error=error, context=ctx)
        return error

    def _record(
        self,
        ctx: CallContext,
        target: Target,
        usage: Usage,
        cost: float | None,
        latency: float,
        outcome: EventOutcome,
        error_type: str | None = None,
    ) -> None:
        self._accounting.record(
            UsageEvent(
                scope=self.scope,
                model=target.model,
                operation=ctx.operation,
                request_id=ctx.request_id,
                usage=usage,
                cost_usd=cost,
                latency_s=latency,
                outcome=outcome,
                error_type=error_type,
            )
        )

    def _notify(self, hook: str, **kwargs: Any) -> None:
        if self._plugins is not None:
            self._plugins.notify(hook, **kwargs)


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
    the caller yet, so it is a retryable bad reply rather than an empty answer."""
    session.exhausted = True
    if session.cut_short():
        raise LLMResponseError(
            f"{session.target.model}: {CUT_MESSAGE} before any content; this is usually transient",
            model=session.target.model,
            retryable=True,
        )
