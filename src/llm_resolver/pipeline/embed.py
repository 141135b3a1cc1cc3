"""``embed``/``aembed``: texts split into batches, sent concurrently, each batch a call through the
resilience plan over the backend (retries, fallbacks, deadline) and observed (meters, on_error),
vectors reassembled in input order.

All vectors of one call come from one model — vectors of different models are not comparable. When a
batch had to fall back to a later model, batches answered by an earlier one are embedded again with
it (what they cost is still counted).

Budgets hold embedding calls as they hold chat calls (the same ``Hold``): before the first batch is
sent, the call reserves its texts' tokens priced at the input price of the dearest model of its chain,
with every budget covering its scope, and the hold is settled with what the batches cost once the
call is over. A spent budget refuses the call before any request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from llm_resolver.backend.port import Backend, Vectors
from llm_resolver.backend.pricing import price
from llm_resolver.backend.targets import Target
from llm_resolver.catalog.model_catalog import ModelCatalog
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.embeddings.batching import Batch, batch_size_for, split
from llm_resolver.embeddings.inputs import EmbedOptions, options_of, texts_of
from llm_resolver.embeddings.targets import embedding_targets
from llm_resolver.errors import LLMError
from llm_resolver.metering.estimate import embedding_estimate_usd
from llm_resolver.pipeline.budget import Hold
from llm_resolver.pipeline.observe import Observer
from llm_resolver.resilience.executor import Resilience
from llm_resolver.resilience.plan import CallPlan
from llm_resolver.types.context import CallContext
from llm_resolver.types.responses import Attempt, EmbeddingResponse, Usage
from llm_resolver.types.scope import Scope


@dataclass
class _Done:
    """One answered batch: its vectors, which target of the chain answered, and what it cost."""

    batch: Batch
    position: int
    model: str
    vectors: list[list[float]]
    usage: Usage
    cost: float | None
    attempts: list[Attempt]


@dataclass
class _Job:
    """One ``embed`` call. ``floor`` is the earliest chain position batches may still start at."""

    targets: list[Target]
    options: EmbedOptions
    ctx: CallContext
    concurrency: int
    batches: list[Batch]
    texts: list[str]
    deadline_at: float | None = None
    floor: int = 0
    answered: dict[int, _Done] = field(default_factory=dict)
    billed: list[_Done] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start_position(self) -> int:
        with self.lock:
            return self.floor

    def finished(self, done: _Done) -> None:
        with self.lock:
            self.floor = max(self.floor, done.position)
            self.answered[done.batch.number] = done
            self.billed.append(done)

    def behind(self) -> list[Batch]:
        """Batches answered by a model earlier in the chain than the latest one used."""
        return [b for b in self.batches if self.answered[b.number].position < self.floor]


class Embedder:
    def __init__(
        self,
        config: LiteLLMConfig,
        catalog: ModelCatalog,
        backend: Backend,
        resilience: Resilience,
        observe: Observer,
    ) -> None:
        self._config = config
        self._catalog = catalog
        self._backend = backend
        self._resilience = resilience
        self._observe = observe

    def embed(
        self,
        texts: str | Sequence[str],
        options: dict[str, Any],
        scope: Scope,
        charged: tuple[Scope, ...] = (),
    ) -> EmbeddingResponse:
        job = self._job(texts, options, "embed", scope)
        with self._hold(job, charged):
            self._start(job)
            pending = job.batches
            while pending:
                self._run_sync(job, pending)
                pending = job.behind()
        return self._response(job)

    async def aembed(
        self,
        texts: str | Sequence[str],
        options: dict[str, Any],
        scope: Scope,
        charged: tuple[Scope, ...] = (),
    ) -> EmbeddingResponse:
        job = self._job(texts, options, "aembed", scope)
        async with self._hold(job, charged):
            self._start(job)
            pending = job.batches
            while pending:
                await self._run_async(job, pending)
                pending = job.behind()
        return self._response(job)

    # Setting up ----------------------------------------------------------------------------------

    def _job(self, texts: str | Sequence[str], options: dict[str, Any], operation: str, scope: Scope) -> _Job:
        items = texts_of(texts)
        opts = options_of(options, self._config.deadline)
        targets = embedding_targets(self._config, self._catalog, opts.model)
        size = batch_size_for(targets, self._config.embedding_batch_size)
        batches = split(items, size, self._config.embedding_batch_tokens, targets[0].model)
        ctx = CallContext(scope=scope, model=targets[0].model, operation=operation)
        return _Job(targets, opts, ctx, self._config.embedding_concurrency, batches, items)

    def _hold(self, job: _Job, charged: tuple[Scope, ...]) -> Hold:
        """The chat calls' budget hold, with the estimate of an embedding call."""
        budgets = self._observe.budgets
        covering = budgets.covering(job.ctx.scope, charged)
        return budgets.hold_estimate(
            job.ctx, covering, job.ctx.model, lambda: embedding_estimate_usd(job.targets, job.texts)
        )

    def _start(self, job: _Job) -> None:
        """The deadline runs from here, once the budget admitted the call (as for chat calls)."""
        deadline = job.options.deadline
        job.deadline_at = None if deadline is None else self._resilience.clock.monotonic() + deadline

    def _plan(self, job: _Job, start: int) -> CallPlan:
        now = self._resilience.clock.monotonic()
        remaining = None if job.deadline_at is None else job.deadline_at - now
        return self._resilience.plan(job.targets[start:], remaining)

    # One batch -----------------------------------------------------------------------------------

    def _batch_sync(self, job: _Job, batch: Batch) -> None:
        start = job.start_position()
        plan = self._plan(job, start)

        def attempt(target: Target, seconds: float) -> Vectors:
            return self._backend.embed(target, batch.texts, job.options.extra, seconds)

        try:
            answer, target = self._resilience.run_sync(plan, attempt)
        except LLMError as error:
            raise self._failed(job, plan, error) from None
        self._finish(job, batch, start, plan, target, answer)

    async def _batch_async(self, job: _Job, batch: Batch) -> None:
        start = job.start_position()
        plan = self._plan(job, start)

        async def attempt(target: Target, seconds: float) -> Vectors:
            return await self._backend.aembed(target, batch.texts, job.options.extra, seconds)

        try:
            answer, target = await self._resilience.run_async(plan, attempt)
        except LLMError as error:
            raise self._failed(job, plan, error) from None
        self._finish(job, batch, start, plan, target, answer)

    def _failed(self, job: _Job, plan: CallPlan, error: LLMError) -> LLMError:
        self._observe.attempts_failed(job.ctx, plan)
        return self._observe.failed(error, job.ctx, plan)

    def _finish(
        self, job: _Job, batch: Batch, start: int, plan: CallPlan, target: Target, answer: Vectors
    ) -> None:
        self._observe.attempts_failed(job.ctx, plan)
        # Without usage from the provider the cost is unknown, not zero.
        usage = answer.usage
        cost = price(target, usage) if usage is not None else None
        used = usage or Usage()
        self._observe.record(job.ctx, target.model, used, cost, plan.attempts[-1].latency_s, "ok")
        position = start + next(i for i, t in enumerate(plan.targets) if t is target)
        job.finished(_Done(batch, position, target.model, answer.vectors, used, cost, list(plan.attempts)))

    # Many batches at once ------------------------------------------------------------------------

    def _run_sync(self, job: _Job, batches: list[Batch]) -> None:
        """Threads for the sync path; after a failure, batches not yet started are skipped.

        The first batch goes alone (in both paths): LiteLLM caches one HTTP client per endpoint, and
        calls that miss that cache at once each build a client, all but one left with open sockets.
        """
        self._batch_sync(job, batches[0])
        rest = batches[1:]
        workers = min(job.concurrency, len(rest))
        if workers <= 1:
            for batch in rest:
                self._batch_sync(job, batch)
            return
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm-resolver-embed")
        try:
            futures = [pool.submit(self._batch_sync, job, batch) for batch in rest]
            wait(futures, return_when=FIRST_EXCEPTION)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            error = None if future.cancelled() else future.exception()
            if error is not None:
                raise error

    async def _run_async(self, job: _Job, batches: list[Batch]) -> None:
        """Tasks bounded by a semaphore. After a failure, batches not yet started are skipped and those
        in flight finish: cancelling LiteLLM mid-call leaves its inner coroutine never awaited."""
        await self._batch_async(job, batches[0])
        gate = asyncio.Semaphore(job.concurrency)
        failed = False

        async def one(batch: Batch) -> None:
            nonlocal failed
            async with gate:
                if failed:
                    return
                try:
                    await self._batch_async(job, batch)
                except BaseException:
                    failed = True
                    raise

        outcomes = await asyncio.gather(*(one(batch) for batch in batches[1:]), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    # The answer ----------------------------------------------------------------------------------

    def _response(self, job: _Job) -> EmbeddingResponse:
        vectors = [v for batch in job.batches for v in job.answered[batch.number].vectors]
        costs = [done.cost for done in job.billed]
        model = job.answered[job.batches[0].number].model if job.batches else job.targets[0].model
        return EmbeddingResponse(
            vectors=vectors,
            model=model,
            usage=sum((done.usage for done in job.billed), Usage()),
            cost_usd=None if None in costs else sum(c for c in costs if c is not None),
            attempts=[a for done in job.billed for a in done.attempts],
        )
