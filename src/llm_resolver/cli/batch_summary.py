"""The table ``batch`` prints when it ends: calls, tokens and cost per model, and failures by error type."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table

from llm_resolver import ChatResponse, LLMError
from llm_resolver.readout import ModelSpend, format_cost


class BatchSummary:
    def __init__(self) -> None:
        self.models: dict[str, ModelSpend] = {}
        self.failures: Counter[str] = Counter()

    def add_response(self, response: ChatResponse) -> None:
        self.models.setdefault(response.model, ModelSpend()).add(response)

    def add_error(self, error: LLMError) -> None:
        self.failures[type(error).__name__] += 1

    def print(self, err: TextIO) -> None:
        console = Console(file=err)
        if self.models:
            console.print(self._models_table())
        if self.failures:
            failed = Table("error", "count", title="failures", box=box.SIMPLE, title_justify="left")
            for kind, count in self.failures.most_common():
                failed.add_row(kind, str(count))
            console.print(failed)

    def _models_table(self) -> Table:
        table = Table(box=box.SIMPLE, title="answered", title_justify="left")
        for column in ("model", "calls", "tokens in", "tokens out", "cost"):
            table.add_column(column, justify="left" if column == "model" else "right")
        for model, t in sorted(self.models.items()):
            table.add_row(model, str(t.calls), str(t.prompt_tokens), str(t.completion_tokens), _cost(t))
        return table


def _cost(totals: ModelSpend) -> str:
    if totals.unpriced == totals.calls:
        return format_cost(None)
    shown = format_cost(totals.cost_usd)
    return f"{shown} (+{totals.unpriced} unpriced)" if totals.unpriced else shown
