"""Runs one logical call: attempts across targets under a deadline, with tenacity retries per target.

The sync and async drivers share everything but the call and the sleep: the bookkeeping lives in
``CallPlan``, so both follow the same decision table (see ``policy``). A target's first attempt is
made directly; tenacity is entered only after it failed.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, Retrying

from llm_resolver.backend.targets import Target
from llm_resolver.config.models import RetryConfig
from llm_resolver.errors import LLMError
from llm_resolver.resilience.clock import Clock
from llm_resolver.resilience.cooldown import Cooldowns
from llm_resolver.resilience.plan import CallPlan
from llm_resolver.resilience.wall import call_within

T = TypeVar("T")


def run_sync(
    plan: CallPlan,
    attempt: Callable[[Target, float], T],
    sleep: Callable[[float], None],
    discard: Callable[[T], None] | None = None,
) -> tuple[T, Target]:
    """``discard`` takes a result that arrived after the deadline (see ``call_within``)."""
    for target in plan:
        try:
            try:
                return _once_sync(plan, target, attempt, discard), target
            except LLMError as error:
                wait = plan.first_wait(target, error)
                if wait is None:
                    raise
            sleep(wait)
            for retry in Retrying(sleep=sleep, **plan.retry_kwargs(target)):
                with retry:
                    result = _once_sync(plan, target, attempt, discard)
            return result, target
        except LLMError as error:
            plan.target_failed(target, error)
    raise plan.exhausted()


def _once_sync(
    plan: CallPlan, target: Target, attempt: Callable[[Target, float], T], discard: Callable[[T], None] | None
) -> T:
    timeout, started = plan.begin(target)
    try:
        result = call_within(functools.partial(attempt, target, timeout), _bound(plan, timeout), discard)
    except Exception as exc:
        raise plan.failed(target, started, exc) from None
    plan.succeeded(target, started)
    return result


async def run_async(
    plan: CallPlan,
    attempt: Callable[[Target, float], Awaitable[T]],
    sleep: Callable[[float], Awaitable[None]],
) -> tuple[T, Target]:
    for target in plan:
        try:
            try:
                return await _once_async(plan, target, attempt), target
            except LLMError as error:
                wait = plan.first_wait(target, error)
                if wait is None:
                    raise
            await sleep(wait)
            async for retry in AsyncRetrying(sleep=sleep, **plan.retry_kwargs(target)):
                with retry:
                    result = await _once_async(plan, target, attempt)
            return result, target
        except LLMError as error:
            plan.target_failed(target, error)
    raise plan.exhausted()


async def _once_async(plan: CallPlan, target: Target, attempt: Callable[[Target, float], Awaitable[T]]) -> T:
    timeout, started = plan.begin(target)
    bound = _bound(plan, timeout)
    try:
        if bound is None:
            result = await attempt(target, timeout)
        else:
            # A timer on this task, where ``wait_for`` would start a task per attempt (90 us of a call).
            async with asyncio.timeout(bound):
                result = await attempt(target, timeout)
    except Exception as exc:
        raise plan.failed(target, started, exc) from None
    plan.succeeded(target, started)
    return result


def _bound(plan: CallPlan, timeout: float) -> float | None:
    """Under a deadline, an attempt is bounded on the wall clock by its share of it. Backends are not
    relied on for this: a timeout bounds each network read, not the attempt, and LiteLLM keys its
    clients on the timeout it is given, so a per-call share there would build a client per call."""
    left = plan.until_deadline()
    return None if left is None else min(timeout, left)


@dataclass(frozen=True)
class Resilience:
    """What the calls of one LLM share for their plans: the policy, time, cool-downs and jitter."""

    policy: RetryConfig
    clock: Clock
    cooldowns: Cooldowns
    rng: random.Random

    def plan(
        self,
        targets: Sequence[Target],
        deadline: float | None,
        needed_context: Callable[[Target], int | None] | None = None,
    ) -> CallPlan:
        return CallPlan(
            targets,
            self.policy,
            clock=self.clock,
            cooldowns=self.cooldowns,
            deadline=deadline,
            rng=self.rng,
            needed_context=needed_context,
        )

    def run_sync(
        self,
        plan: CallPlan,
        attempt: Callable[[Target, float], T],
        discard: Callable[[T], None] | None = None,
    ) -> tuple[T, Target]:
        return run_sync(plan, attempt, self.clock.sleep, discard)

    async def run_async(
        self, plan: CallPlan, attempt: Callable[[Target, float], Awaitable[T]]
    ) -> tuple[T, Target]:
        return await run_async(plan, attempt, self.clock.asleep)
