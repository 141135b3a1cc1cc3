"""Running ``llm-resolver batch``: many prompts through one resolved LLM, concurrently.

Results are appended to OUT as calls finish, so whatever was answered survives a kill; a second run of
the same command skips the ids already in OUT. Ctrl-C stops taking work and cancels the calls in flight
(nothing partial is written); a budget refusal stops taking work and lets the calls in flight finish.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from llm_resolver import (
    LLM,
    ChatResponse,
    LLMBudgetExceededError,
    LLMError,
    PluginError,
    SpecError,
    aclose_clients,
)
from llm_resolver.cli.batch_input import Job, describe, id_key, read_jobs
from llm_resolver.cli.batch_output import ResultWriter, error_line, finished_ids, success_line
from llm_resolver.cli.batch_progress import ProgressDisplay, Tally
from llm_resolver.cli.batch_summary import BatchSummary
from llm_resolver.cli.errors import EXIT_CALL_FAILED, EXIT_INTERRUPTED
from llm_resolver.cli.llm_options import resolve_llm, spec_from_args
from llm_resolver.cli.stray_output import answer_stdout
from llm_resolver.plugins.manager import PluginManager


def run_batch(
    args: argparse.Namespace, *, plugins: PluginManager | None, parser: argparse.ArgumentParser
) -> int:
    err = sys.stderr
    try:
        with open(args.input, encoding="utf-8") as file:
            jobs, problems = read_jobs(file)
    except (OSError, UnicodeDecodeError) as exc:
        parser.error(f"cannot read {args.input}: {getattr(exc, 'strerror', None) or exc}")
    for problem in problems:
        err.write(describe(problem, args.input) + "\n")
    llm = resolve_llm(spec_from_args(args), plugins, args.scope)
    try:
        done, torn = finished_ids(args.output)
        writer = ResultWriter(args.output)
    except OSError as exc:
        parser.error(f"cannot write {args.output}: {exc.strerror or exc}")
    if torn:
        err.write(f"batch: {args.output}: cut off a torn last line ({torn} bytes) left by a killed run\n")
    pending = [job for job in jobs if id_key(job.id) not in done]
    if len(pending) < len(jobs):
        err.write(f"batch: {len(jobs) - len(pending)} of {len(jobs)} ids already in {args.output}, skipped\n")
    summary = BatchSummary()
    tally = Tally(total=len(pending))
    outcome = Outcome()
    if pending:
        err.write(f"batch: {len(pending)} ids to run, at most {args.concurrency} at a time\n")
        display = ProgressDisplay(tally, err)
        try:
            with answer_stdout():
                asyncio.run(
                    _run_all(llm, pending, args.concurrency, writer, Sinks(tally, summary, display), outcome)
                )
        finally:
            display.close()
    writer.close()
    summary.print(err)
    return _finish(args, outcome, tally, len(problems), err)


@dataclass
class Outcome:
    interrupted: bool = False
    budget: LLMBudgetExceededError | None = None


@dataclass
class Sinks:
    tally: Tally
    summary: BatchSummary
    display: ProgressDisplay


async def _run_all(
    llm: LLM, jobs: list[Job], concurrency: int, writer: ResultWriter, sinks: Sinks, outcome: Outcome
) -> None:
    """Workers pull jobs from one iterator until it is empty, a budget refuses, or Ctrl-C cancels them."""
    batch = _Batch(llm, writer, sinks, outcome)
    queue = iter(jobs)
    try:
        workers = [asyncio.create_task(batch.work(queue)) for _ in range(min(concurrency, len(jobs)))]

        def interrupt() -> None:
            outcome.interrupted = True
            for worker in workers:
                worker.cancel()

        _on_sigint(interrupt)
        await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
        for worker in workers:
            worker.cancel()  # only a fault (below) leaves any running
        await asyncio.wait(workers)
        for worker in workers:
            fault = None if worker.cancelled() else worker.exception()
            if fault is not None:
                raise fault  # a configuration fault, or a bug: not something to write per line
    finally:
        await aclose_clients()


class _Batch:
    """The workers' shared state: where results go, and how many calls are in flight."""

    def __init__(self, llm: LLM, writer: ResultWriter, sinks: Sinks, outcome: Outcome) -> None:
        self._llm = llm
        self._writer = writer
        self._sinks = sinks
        self._outcome = outcome
        self._in_flight = 0
        self._call_ended = asyncio.Event()  # replaced after each end, so a waiter sees the next one

    async def work(self, queue: Iterator[Job]) -> None:
        for job in queue:
            result = await self._call(job)
            if result is None:
                return  # stopped by the budget: this job is not written, so a resumed run sends it
            if isinstance(result, LLMError):
                self._writer.write(error_line(job.id, result))
                self._sinks.summary.add_error(result)
                self._sinks.tally.finished(ok=False)
            else:
                self._writer.write(success_line(job.id, result))
                self._sinks.summary.add_response(result)
                self._sinks.tally.finished(ok=True, cost_usd=result.cost_usd)
            self._sinks.display.update()

    async def _call(self, job: Job) -> ChatResponse | LLMError | None:
        """The answer or the call's error; None once the budget is spent. A refusal while other calls
        are in flight may only mean their reservations hold the rest of the budget: wait for one to
        end and try again; refused with none in flight, the budget is spent."""
        while self._outcome.budget is None:
            self._in_flight += 1
            try:
                return await self._llm.acomplete(job.request)
            except LLMBudgetExceededError as error:
                refused = error
            except (SpecError, PluginError):
                raise
            except LLMError as error:
                return error
            finally:
                self._in_flight -= 1
                self._call_ended.set()
                self._call_ended = asyncio.Event()
            if self._in_flight == 0:
                self._outcome.budget = refused
                self._call_ended.set()  # wake the workers waiting to retry: they stop too
                return None
            await self._call_ended.wait()
        return None


def _on_sigint(callback: Any) -> None:
    """Ctrl-C calls ``callback`` in the loop instead of raising wherever the loop happens to be."""
    # Outside the main thread, or without signal support, Ctrl-C raises KeyboardInterrupt as usual.
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, callback)


def _finish(args: argparse.Namespace, outcome: Outcome, tally: Tally, problems: int, err: TextIO) -> int:
    left = tally.total - tally.done - tally.failed
    if outcome.interrupted:
        err.write(
            f"batch: interrupted; {tally.done + tally.failed} results saved in {args.output}, {left} ids not "
            f"run. To resume, run the same command:\n  {resume_command(args)}\n"
        )
        return EXIT_INTERRUPTED
    if outcome.budget is not None:
        err.write(
            f"batch: stopped by the budget, {left} ids not run: {' '.join(str(outcome.budget).split())}\n"
            f"To go on, raise budget_usd and run the same command:\n  {resume_command(args)}\n"
        )
        return EXIT_CALL_FAILED
    if tally.failed or problems:
        err.write(f"batch: {tally.failed} calls failed, {problems} input lines skipped\n")
        return EXIT_CALL_FAILED
    return 0


def resume_command(args: argparse.Namespace) -> str:
    """The command line that continues this run: same files, model and options."""
    words = ["llm-resolver", "batch", args.input, args.output, "--concurrency", str(args.concurrency)]
    for flag, value in (("--spec", args.spec), ("--model", args.model), ("--api-base", args.api_base)):
        if value is not None:
            words += [flag, value]
    if args.spec is not None and args.name != "llm":
        words += ["--name", args.name]
    return shlex.join(words)
