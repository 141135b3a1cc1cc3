"""``CallPlan``: the state of one logical call across its targets — which is next, what each attempt
did, how long it may wait and how much of the deadline is left. The drivers in ``executor`` run it;
the decisions follow the table in ``policy``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from tenacity import RetryCallState, retry_if_exception

from llm_resolver.backend.errors import timed_out
from llm_resolver.backend.targets import Target
from llm_resolver.config.models import RetryConfig
from llm_resolver.errors import LLMContextWindowError, LLMError, LLMFallbacksExhaustedError, LLMTimeoutError
from llm_resolver.resilience.clock import Clock
from llm_resolver.resilience.cooldown import Cooldowns, cooldown_key
from llm_resolver.resilience.policy import Next, after_failure, backoff
from llm_resolver.types.responses import Attempt

log = logging.getLogger("llm_resolver.resilience")

# An attempt that would get less than this before the deadline is not started.
MIN_ATTEMPT_S = 0.05


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed attempt, for the observers the pipeline tells once the plan has run."""

    error: LLMError
    target: Target
    latency_s: float


class CallPlan:
    """State of one call: which target is next, what each attempt did, how much time is left."""

    def __init__(
        self,
        targets: Sequence[Target],
        policy: RetryConfig,
        *,
        clock: Clock,
        cooldowns: Cooldowns,
        deadline: float | None,
        rng: random.Random,
        needed_context: Callable[[Target], int | None] | None = None,
    ) -> None:
        """``needed_context``: the tokens the request needs on a target (prompt and completion),
        counted only after a context-window error, to pick a fallback that is large enough."""
        self.targets = list(targets)
        self.policy = policy
        self.clock = clock
        self.cooldowns = cooldowns
        self.needed_context = needed_context
        self.rng = rng
        self.started = clock.monotonic()
        self.deadline_at = None if deadline is None else self.started + deadline
        self.attempts: list[Attempt] = []
        self.last_error: LLMError | None = None
        self.failures: list[Failure] = []
        self._min_context: int | None = None
        self._left = len(self.targets)  # targets from the current one to the end of the chain
        self._share_until: float | None = None  # when the current target's share of the deadline ends
        self._pending_wait = 0.0
        self._waits: dict[tuple[int, int], float | None] = {}

    @property
    def errors(self) -> list[LLMError]:
        return [failure.error for failure in self.failures]

    # Which targets, in which order -------------------------------------------------------------

    def __iter__(self) -> Iterator[Target]:
        """Targets in order; one cooling down is skipped only while a later one is not, so the last
        target a call has left is always tried. ``retry.cooldown_s: 0`` opts this LLM out."""
        now = self.clock.monotonic()
        cooling = [self._cooling(t, now) for t in self.targets]
        for i, target in enumerate(self.targets):
            self._left, self._share_until = len(self.targets) - i, None
            if cooling[i] > 0 and any(c == 0 for c in cooling[i + 1 :]):
                self._skip(target, f"cooling down for {cooling[i]:.1f}s after repeated failures")
                continue
            if self._min_context is not None:
                size = target.context_window
                if size is not None and size < self._min_context:
                    self._skip(target, f"context window {size} < {self._min_context} tokens needed")
                    continue
            yield target

    def _cooling(self, target: Target, now: float) -> float:
        return self.cooldowns.remaining(cooldown_key(target), now) if self.policy.cooldown_s > 0 else 0.0

    def _skip(self, target: Target, why: str) -> None:
        log.debug("skipping %s: %s", target.model, why)
        self.attempts.append(Attempt(model=target.model, outcome="skipped", detail=why))

    # One attempt ---------------------------------------------------------------------------------

    def begin(self, target: Target) -> tuple[float, float]:
        """(timeout for this attempt, start time); raises when the deadline leaves no room.

        Under a deadline each target of the chain gets an equal share of what is left when it starts
        (the last one all of it), so a hung primary cannot use up the time of its fallbacks; its
        retries run within its share."""
        now = self.clock.monotonic()
        timeout = target.timeout
        if self.deadline_at is not None:
            remaining = self.deadline_at - now
            if remaining < MIN_ATTEMPT_S:
                raise LLMTimeoutError(
                    f"the call's deadline passed before {target.model} could be tried; raise deadline",
                    model=target.model,
                    retryable=False,
                )
            if self._share_until is None:
                self._share_until = now + remaining / max(1, self._left)
            timeout = min(timeout, max(self._share_until - now, MIN_ATTEMPT_S), remaining)
        return timeout, now

    def until_deadline(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self.deadline_at is None else max(0.0, self.deadline_at - self.clock.monotonic())

    def succeeded(self, target: Target, started: float) -> None:
        self.cooldowns.succeeded(cooldown_key(target))
        self.attempts.append(
            Attempt(
                model=target.model,
                outcome="ok",
                latency_s=self.clock.monotonic() - started,
                wait_s=self._take_wait(),
            )
        )

    def failed(self, target: Target, started: float, exc: Exception) -> LLMError:
        """Record a failed attempt. Backends raise only ``LLMError``; a ``TimeoutError`` is the
        deadline's own bound; anything else is a fault of ours and is not retried."""
        if isinstance(exc, TimeoutError):
            error: LLMError = timed_out(target.model, str(exc) or None)
        elif isinstance(exc, LLMError):
            error = exc
        else:
            raise exc
        self.attempts.append(
            Attempt(
                model=target.model,
                outcome="error",
                error_type=type(error).__name__,
                status_code=error.status_code,
                latency_s=self.clock.monotonic() - started,
                wait_s=self._take_wait(),
                detail=error.message[:200],
            )
        )
        log.debug(
            "attempt %d of the call on %s failed: %s (status %s, %s)",
            len(self.attempts),
            target.model,
            type(error).__name__,
            error.status_code,
            "retryable" if error.retryable else "not retryable",
        )
        if (
            error.retryable
            and self.policy.cooldown_s > 0
            and self.cooldowns.failed(
                cooldown_key(target),
                self.clock.monotonic(),
                self.policy.cooldown_after,
                self.policy.cooldown_s,
            )
        ):
            log.info(
                "cooling %s down for %.0fs after %d failures in a row",
                target.model,
                self.policy.cooldown_s,
                self.policy.cooldown_after,
            )
        self.last_error = error
        self.failures.append(Failure(error, target, self.attempts[-1].latency_s))
        return error

    def _take_wait(self) -> float:
        wait, self._pending_wait = self._pending_wait, 0.0
        return wait

    # Retries of one target (tenacity) ------------------------------------------------------------

    def first_wait(self, target: Target, error: LLMError) -> float | None:
        """After a target's first attempt failed: the wait before its first retry, or None when it is
        done. Retries after that run under tenacity (``retry_kwargs``), entered only on a failure."""
        if after_failure(error, self.policy) is not Next.RETRY:
            return None
        wait = self._wait(target, 1, error)
        if wait is not None:
            self._remember(target, 1, wait)
        return wait

    def retry_kwargs(self, target: Target) -> dict[str, Any]:
        """For tenacity's loop over retries 2, 3, ... (its attempt n is the target's attempt n + 1)."""

        def decide(state: RetryCallState) -> float | None:
            error = state.outcome.exception() if state.outcome else None
            if not isinstance(error, LLMError):
                return None
            return self._wait(target, state.attempt_number + 1, error)

        def remember_wait(state: RetryCallState) -> None:
            self._remember(target, state.attempt_number + 1, state.upcoming_sleep)

        return {
            "retry": retry_if_exception(
                lambda e: isinstance(e, LLMError) and after_failure(e, self.policy) is Next.RETRY
            ),
            "stop": lambda state: decide(state) is None,
            "wait": lambda state: decide(state) or 0.0,
            "before_sleep": remember_wait,
            "reraise": True,
        }

    def _remember(self, target: Target, failed_attempt: int, wait: float) -> None:
        self._pending_wait = wait
        log.debug("retrying %s in %.2fs (retry %d)", target.model, wait, failed_attempt)

    def _wait(self, target: Target, failed_attempt: int, error: LLMError) -> float | None:
        """The wait before the retry after attempt ``failed_attempt``, or None when this target is
        done; decided once per attempt (tenacity asks twice, and the jitter draws from the rng)."""
        key = (id(target), failed_attempt)
        if key not in self._waits:
            self._waits[key] = self._decide(target, failed_attempt, error)
        return self._waits[key]

    def _decide(self, target: Target, failed_attempt: int, error: LLMError) -> float | None:
        if failed_attempt > target.max_retries:
            return None
        wait = backoff(failed_attempt, error, self.policy, self.rng)
        if wait is None:
            return None
        until = self._share_until if self._share_until is not None else self.deadline_at
        if until is not None and self.clock.monotonic() + wait + MIN_ATTEMPT_S > until:
            return None
        return wait

    # After a target gave up ----------------------------------------------------------------------

    def target_failed(self, target: Target, error: LLMError) -> None:
        """Decide whether the chain goes on; raises when it must stop here."""
        decision = after_failure(error, self.policy)
        if decision is Next.RAISE:
            log.debug("%s: %s ends the call (no fallback for it)", target.model, type(error).__name__)
            raise self._final(error)
        log.info(
            "%s gave up after %s; the call moves on to its next model, if any",
            target.model,
            type(error).__name__,
        )
        if decision is Next.LARGER_CONTEXT and isinstance(error, LLMContextWindowError):
            needed = self.needed_context(target) if self.needed_context is not None else None
            size = target.context_window
            self._min_context = max(needed or 0, (size or 0) + 1) or None
        if self.deadline_at is not None and self.clock.monotonic() + MIN_ATTEMPT_S > self.deadline_at:
            raise self._final(error)

    def exhausted(self) -> LLMError:
        error = self.last_error or LLMTimeoutError("no model could be tried", retryable=False)
        return self._final(error)

    def _final(self, error: LLMError) -> LLMError:
        tried = {a.model for a in self.attempts}
        if len(self.targets) == 1 or (
            len(tried) <= 1 and not any(a.outcome == "skipped" for a in self.attempts)
        ):
            error.attempts = list(self.attempts)
            return error
        summary = ", ".join(
            f"{a.model}: {a.error_type or a.outcome}" for a in self.attempts if a.outcome != "ok"
        )
        exhausted = LLMFallbacksExhaustedError(
            f"every model failed ({summary}); last error: {error.message}",
            attempts=self.attempts,
            last_error=error,
            model=error.model,
        )
        return exhausted
