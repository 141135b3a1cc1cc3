"""What comes back: responses, usage, attempts, stream chunks, embeddings, model info."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from llm_resolver.types.messages import Message, Role, ToolCall


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
        )


AttemptOutcome = Literal["ok", "error", "skipped", "cached"]


class Attempt(BaseModel):
    """One try at one model: retries, fallbacks, cool-down skips and cache hits each leave one."""

    model_config = ConfigDict(frozen=True)

    model: str
    outcome: AttemptOutcome
    error_type: str | None = None
    status_code: int | None = None
    latency_s: float = 0.0
    wait_s: float = 0.0
    detail: str | None = None


class ChatResponse(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    message: Message
    finish_reason: str | None = None
    model: str
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None
    attempts: list[Attempt] = Field(default_factory=list)
    parsed: Any = None
    cached: bool = False
    raw: Any = Field(default=None, repr=False, exclude=True)

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def tool_calls(self) -> list[ToolCall]:
        return self.message.tool_calls

    @classmethod
    def from_text(cls, text: str, model: str, **fields: Any) -> ChatResponse:
        return cls(message=Message(role=Role.ASSISTANT, content=text), model=model, **fields)


class ToolCallDelta(BaseModel):
    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


class ChatChunk(BaseModel):
    text: str = ""
    tool_calls: list[ToolCallDelta] = Field(default_factory=list)
    finish_reason: str | None = None


class EmbeddingResponse(BaseModel):
    vectors: list[list[float]]
    model: str
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None
    attempts: list[Attempt] = Field(default_factory=list)


class ModelInfo(BaseModel):
    model: str
    provider: str | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    supports_vision: bool | None = None
    supports_tools: bool | None = None
    supports_response_schema: bool | None = None
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
