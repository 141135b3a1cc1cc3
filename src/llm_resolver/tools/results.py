"""What a tool loop leaves behind: every model response, every tool call, the totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llm_resolver.errors import LLMError
from llm_resolver.types.messages import Message
from llm_resolver.types.responses import ChatResponse, Usage


@dataclass(frozen=True)
class ToolCallRecord:
    """One call the model asked for and what became of it.

    ``content`` is the text the model received as the tool's result: the rendered return value, or
    ``error: …`` when the name, the arguments or the run failed (``error`` holds that text then).
    ``arguments`` is None when the model sent arguments that were not a JSON object (``raw_arguments``).
    """

    id: str
    name: str
    arguments: dict[str, Any] | None
    content: str
    result: Any = field(default=None, repr=False)
    error: str | None = None
    duration_s: float = 0.0
    raw_arguments: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ToolStep:
    """One model call and the tool calls it asked for (none for the final answer)."""

    response: ChatResponse
    calls: list[ToolCallRecord] = field(default_factory=list)


def total_usage(steps: list[ToolStep]) -> Usage:
    usage = Usage()
    for step in steps:
        usage = usage + step.response.usage
    return usage


def total_cost(steps: list[ToolStep]) -> float | None:
    """The sum of every step's cost; None if any step could not be priced (never a silent 0)."""
    costs = [step.response.cost_usd for step in steps]
    if any(c is None for c in costs):
        return None
    return sum(c for c in costs if c is not None)


@dataclass(frozen=True)
class ToolLoopResult:
    """The final answer, each step on the way, the whole conversation, and usage and cost in total."""

    response: ChatResponse
    steps: list[ToolStep]
    messages: list[Message]

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def calls(self) -> list[ToolCallRecord]:
        return [call for step in self.steps for call in step.calls]

    @property
    def usage(self) -> Usage:
        return total_usage(self.steps)

    @property
    def cost_usd(self) -> float | None:
        return total_cost(self.steps)


class LLMToolLoopError(LLMError):
    """The model still asked for tools after ``max_steps`` model calls; ``steps`` holds every one of
    them (the calls of the last were not run), ``messages`` the conversation so far."""

    def __init__(
        self, message: str, *, steps: list[ToolStep], messages: list[Message], model: str | None = None
    ) -> None:
        super().__init__(message, model=model)
        self.steps = steps
        self.messages = messages

    @property
    def usage(self) -> Usage:
        return total_usage(self.steps)

    @property
    def cost_usd(self) -> float | None:
        return total_cost(self.steps)
