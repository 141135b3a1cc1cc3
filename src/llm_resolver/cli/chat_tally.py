"""What a chat session spent, per answering model, and the tables ``/cost`` and ``/attempts`` show."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

from llm_resolver import Attempt, ChatResponse
from llm_resolver.readout import ModelSpend, format_cost


class Tally:
    """Usage and spend of the replies that finished; a stopped answer's usage is never reported by the
    provider, so those are only counted."""

    def __init__(self) -> None:
        self.by_model: dict[str, ModelSpend] = {}
        self.stopped = 0

    def record(self, response: ChatResponse) -> None:
        self.by_model.setdefault(response.model, ModelSpend()).add(response)

    def table(self) -> Table:
        table = Table(
            title="this session's usage and spend", box=box.SIMPLE_HEAD, show_edge=False, title_justify="left"
        )
        table.add_column("MODEL")
        for heading in ("REPLIES", "TOKENS IN", "TOKENS OUT", "COST"):
            table.add_column(heading, justify="right")
        total = ModelSpend()
        for model, spend in sorted(self.by_model.items()):
            table.add_row(model, *_cells(spend))
            total.include(spend)
        if len(self.by_model) > 1:
            table.add_section()
            table.add_row("total", *_cells(total), style="bold")
        notes = []
        if total.unpriced:
            notes.append(f"{total.unpriced} repl{'y' if total.unpriced == 1 else 'ies'} from unpriced models")
        if self.stopped:
            notes.append(
                f"{self.stopped} stopped answer{'s' if self.stopped != 1 else ''} not counted "
                "(a stopped stream reports no usage)"
            )
        table.caption = "; ".join(notes) or None
        table.caption_justify = "left"
        return table


def _cells(spend: ModelSpend) -> tuple[str, str, str, str]:
    cost = format_cost(spend.cost_usd) if spend.calls > spend.unpriced else "cost unknown"
    if spend.unpriced and spend.calls > spend.unpriced:
        cost = f"≥ {cost}"
    return (str(spend.calls), str(spend.prompt_tokens), str(spend.completion_tokens), cost)


def attempts_table(attempts: Sequence[Attempt], title: str) -> Table:
    """Every try behind one reply, in order: retries, fallbacks, cool-down skips and cache hits."""
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("MODEL")
    table.add_column("OUTCOME")
    table.add_column("ERROR")
    table.add_column("LATENCY", justify="right")
    table.add_column("WAITED", justify="right")
    for number, attempt in enumerate(attempts, 1):
        error = attempt.error_type or ""
        if attempt.status_code is not None:
            error = f"{error} {attempt.status_code}".strip()
        table.add_row(
            str(number),
            attempt.model,
            attempt.outcome,
            error or "-",
            f"{attempt.latency_s:.2f}s",
            f"{attempt.wait_s:.2f}s" if attempt.wait_s else "-",
        )
    return table
