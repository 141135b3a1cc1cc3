"""The observe stage: what a call did goes to the meters and the after/error hooks, and becomes
the ``ChatResponse`` (usage, cost, attempts) or the error the caller gets."""

from __future__ import annotations

from typing import Any

from llm_resolver.backend.port import Reply
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target
from llm_resolver.errors import LLMConnectionError, LLMError
from llm_resolver.metering.events import EventOutcome, UsageEvent
from llm_resolver.metering.meters import Metering
from llm_resolver.metering.usage import counted_usage
from llm_resolver.pipeline.budget import Budgets
from llm_resolver.pipeline.call import Call
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.redaction import redact
from llm_resolver.resilience.plan import CallPlan
from llm_resolver.streaming.session import OpenStream
from llm_resolver.types.context import CallContext
from llm_resolver.types.responses import Attempt, ChatResponse, Usage


class Observer:
    """Per LLM: its meters (each event also tallied toward its call's budget hold) and hooks."""

    def __init__(self, metering: Metering, budgets: Budgets, plugins: PluginManager | None) -> None:
        self.metering = metering
        self.budgets = budgets
        self.plugins = plugins

    def notify(self, hook: str, **kwargs: Any) -> None:
        if self.plugins is not None:
            self.plugins.notify(hook, **kwargs)

    def record(
        self,
        ctx: CallContext,
        model: str,
        usage: Usage,
        cost: float | None,
        latency: float,
        outcome: EventOutcome,
        error_type: str | None = None,
    ) -> None:
        event = UsageEvent(
            scope=ctx.scope,
            model=model,
            operation=ctx.operation,
            request_id=ctx.request_id,
            usage=usage,
            cost_usd=cost,
            latency_s=latency,
            outcome=outcome,
            error_type=error_type,
        )
        self.metering.record(event)
        self.budgets.tally(event)

    # Attempts and outcomes -----------------------------------------------------------------------

    def attempts_failed(self, ctx: CallContext, plan: CallPlan, since: int = 0) -> None:
        """Each failed attempt of ``plan`` from ``since`` on, chat or embedding: metered as a zero-cost
        error event and shown to on_error, in the order they happened."""
        for failure in plan.failures[since:]:
            ctx.attempt_model = failure.target.model
            ctx.attempt_number += 1
            error = failure.error
            self.record(
                ctx, failure.target.model, Usage(), 0.0, failure.latency_s, "error", type(error).__name__
            )
            self.notify("on_error", error=error, context=ctx)

    def failed(self, error: LLMError, ctx: CallContext, plan: CallPlan) -> LLMError:
        """Tell on_error about the final error unless it already saw it as a failed attempt."""
        if not any(error is seen for seen in plan.errors):
            self.notify("on_error", error=error, context=ctx)
        return error

    def cached(self, ctx: CallContext, response: ChatResponse) -> None:
        latency = response.attempts[-1].latency_s if response.attempts else 0.0
        self.record(ctx, response.model, Usage(), 0.0, latency, "cached")
        self.notify("after_response", response=response, context=ctx)

    def replied(self, reply: Reply, target: Target, plan: CallPlan, ctx: CallContext) -> ChatResponse:
        usage = reply.usage or Usage()
        spent = cost(target, usage, reply)
        return self._answered(reply.message, reply.finish_reason, usage, spent, target, plan, ctx, reply.raw)

    def streamed(self, session: OpenStream[Any], call: Call, plan: CallPlan) -> ChatResponse:
        asm, target = session.assembler, session.target
        usage = asm.usage or counted_usage(target.model, call.request, asm.text)
        spent = price(target, usage)
        return self._answered(asm.message(), asm.finish_reason, usage, spent, target, plan, call.ctx)

    def _answered(
        self,
        message: Any,
        finish: str | None,
        usage: Usage,
        cost_usd: float | None,
        target: Target,
        plan: CallPlan,
        ctx: CallContext,
        raw: Any = None,
    ) -> ChatResponse:
        response = ChatResponse.model_construct(
            message=message,
            finish_reason=finish,
            model=target.model,
            usage=usage,
            cost_usd=cost_usd,
            attempts=list(plan.attempts),
            parsed=None,
            cached=False,
            raw=raw,
        )
        self.record(ctx, target.model, usage, cost_usd, plan.attempts[-1].latency_s, "ok")
        self.notify("after_response", response=response, context=ctx)
        return response

    # Streams that did not finish -----------------------------------------------------------------

    def broken(self, session: OpenStream[Any], exc: BaseException, call: Call, plan: CallPlan) -> LLMError:
        """A stream that broke after its first chunk: the provider bills what it streamed, so that is
        metered; the error carries the partial text and the attempt it ended."""
        target, asm = session.target, session.assembler
        usage = asm.usage or counted_usage(target.model, call.request, asm.text)
        self.record(call.ctx, target.model, usage, price(target, usage), 0.0, "error", "LLMConnectionError")
        said = exc.detail if isinstance(exc, LLMError) else redact(str(exc), target.secrets)
        error = LLMConnectionError(
            f"the stream from {target.model} broke after {len(asm.text)} characters "
            f"({type(exc).__name__}); the partial text is on the error as partial_text; chunks already "
            "delivered are not sent again",
            detail=(said or "")[:300] or None,
            model=target.model,
            partial_text=asm.text,
            retryable=False,
        )
        # The attempt that opened the stream counted as ok; it ended in this error after all.
        attempts = list(plan.attempts)
        broke = {"outcome": "error", "error_type": "LLMConnectionError"}
        if attempts and attempts[-1].outcome == "ok":
            attempts[-1] = attempts[-1].model_copy(update=broke)
        else:
            attempts.append(Attempt(model=target.model, **broke))
        error.attempts = attempts
        self.notify("on_error", error=error, context=call.ctx)
        return error

    def abandoned(self, session: OpenStream[Any], call: Call) -> None:
        """A stream closed or dropped before its end: what it read is metered."""
        target, asm = session.target, session.assembler
        usage = asm.usage or counted_usage(target.model, call.request, asm.text)
        self.record(call.ctx, target.model, usage, price(target, usage), 0.0, "ok")


def cost(target: Target, usage: Usage, reply: Reply) -> float | None:
    """Prices set on the target win; otherwise the backend's own price of the reply (LiteLLM's,
    already computed), else the usage priced from the model map."""
    own = target.input_cost_per_token is not None and target.output_cost_per_token is not None
    if reply.cost_usd is not None and not own:
        return reply.cost_usd
    return price(target, usage)
