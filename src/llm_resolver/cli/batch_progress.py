"""``batch`` progress on stderr: a live bar on a terminal, a plain line every few seconds otherwise
(a log file or CI output gets readable lines, not cursor movements)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from llm_resolver.readout import format_cost

PLAIN_INTERVAL_S = 5.0


@dataclass
class Tally:
    """What has finished in this run; the bar, the plain lines and the summary read the same numbers."""

    total: int
    done: int = 0
    failed: int = 0
    spend_usd: float = 0.0
    first_finished: float | None = None  # the rate is counted from here: the first call waits for imports

    def finished(self, *, ok: bool, cost_usd: float | None = None) -> None:
        if self.first_finished is None:
            self.first_finished = time.monotonic()
        if ok:
            self.done += 1
            self.spend_usd += cost_usd or 0.0
        else:
            self.failed += 1

    def rate(self) -> float:
        """Calls finished per second since the first one finished (0 until two have)."""
        if self.first_finished is None:
            return 0.0
        elapsed = time.monotonic() - self.first_finished
        return (self.done + self.failed - 1) / elapsed if elapsed > 0 else 0.0

    def eta_s(self) -> float | None:
        rate = self.rate()
        left = self.total - self.done - self.failed
        return left / rate if rate > 0 else None


class ProgressDisplay:
    """``update()`` after each finished call; ``close()`` once at the end."""

    def __init__(self, tally: Tally, err: TextIO) -> None:
        self._tally = tally
        self._err = err
        self._last = time.monotonic()
        self._bar: Progress | None = None
        if err.isatty():
            self._bar = Progress(
                TextColumn("batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[red]{task.fields[failed]} failed"),
                TextColumn("{task.fields[rate]:.1f}/s"),
                TextColumn("{task.fields[spend]}"),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=err),
                transient=False,
            )
            self._task = self._bar.add_task(
                "batch", total=tally.total, failed=0, rate=0.0, spend=_spend(tally)
            )
            self._bar.start()

    def update(self) -> None:
        if self._bar is not None:
            t = self._tally
            self._bar.update(
                self._task, completed=t.done + t.failed, failed=t.failed, rate=t.rate(), spend=_spend(t)
            )
        elif time.monotonic() - self._last >= PLAIN_INTERVAL_S:
            self._line()

    def close(self) -> None:
        if self._bar is not None:
            self.update()
            self._bar.stop()
        else:
            self._line()

    def _line(self) -> None:
        self._last = time.monotonic()
        t = self._tally
        eta = t.eta_s()
        parts = [f"batch: {t.done + t.failed}/{t.total} done", f"{t.failed} failed"]
        if t.rate() > 0:
            parts.append(f"{t.rate():.1f}/s")
        parts.append(_spend(t))
        if eta is not None and t.done + t.failed < t.total:
            parts.append(f"ETA {eta:.0f}s")
        self._err.write(", ".join(parts) + "\n")
        self._err.flush()


def _spend(tally: Tally) -> str:
    return format_cost(tally.spend_usd) if tally.spend_usd else "$0"
