"""Agents the guild tests run: plain Rustic agents whose processors use the injected LLM."""

from __future__ import annotations

from typing import Any

from llm_resolver_rustic import RusticLLM
from pydantic import BaseModel
from rustic_ai.core.guild import Agent, agent
from rustic_ai.core.guild.agent import ProcessContext
from rustic_ai.core.guild.agent_ext.depends.llm import LLM
from rustic_ai.core.guild.agent_ext.depends.llm.models import (
    APIError,
    ChatCompletionRequest,
    ChatCompletionResponse,
    UserMessage,
)


class Ask(BaseModel):
    """A question, or a whole Rustic request when the test needs tools, images or a format."""

    text: str = ""
    request: dict[str, Any] | None = None


class Answer(BaseModel):
    text: str | None
    finish_reason: str
    tool_calls: list[dict[str, Any]] = []
    cost_usd: float | None
    attempts: list[dict[str, Any]]
    parsed: Any = None
    scope: str
    meter_id: int
    llm_id: int
    total_tokens: int


class Failed(BaseModel):
    kind: str
    status_code: int
    message: str
    is_ours: bool


class City(BaseModel):
    """The structured output the tests ask for by dotted path."""

    name: str
    population: int


def _request(ask: Ask) -> ChatCompletionRequest:
    if ask.request is not None:
        return ChatCompletionRequest.model_validate(ask.request)
    return ChatCompletionRequest(messages=[UserMessage(content=ask.text)])


def _answer(response: ChatCompletionResponse, llm: LLM) -> Answer:
    assert isinstance(llm, RusticLLM)
    choice = response.choices[0]
    extra = choice.provider_specific_fields or {}
    parsed = extra.get("parsed")
    return Answer(
        text=choice.message.content,
        finish_reason=str(choice.finish_reason),
        tool_calls=[c.model_dump() for c in choice.message.tool_calls or []],
        cost_usd=extra["cost_usd"],
        attempts=extra["attempts"],
        parsed=parsed.model_dump() if isinstance(parsed, BaseModel) else parsed,
        scope=str(llm.scope),
        meter_id=id(llm.meter),
        llm_id=id(llm),
        total_tokens=response.usage.total_tokens if response.usage else 0,
    )


def _failed(err: APIError) -> Failed:
    from llm_resolver import LLMError

    return Failed(
        kind=type(err).__name__,
        status_code=err.status_code,
        message=err.message,
        is_ours=isinstance(err, LLMError),
    )


class SyncLLMAgent(Agent):
    @agent.processor(Ask, depends_on=["llm"])
    def ask(self, ctx: ProcessContext[Ask], llm: LLM) -> None:
        try:
            ctx.send(_answer(llm.completion(_request(ctx.payload)), llm))
        except APIError as err:
            ctx.send(_failed(err))


class AsyncLLMAgent(Agent):
    @agent.processor(Ask, depends_on=["llm"])
    async def ask(self, ctx: ProcessContext[Ask], llm: LLM) -> None:
        try:
            ctx.send(_answer(await llm.async_completion(_request(ctx.payload)), llm))
        except APIError as err:
            ctx.send(_failed(err))


class GuildSyncAgent(Agent):
    @agent.processor(Ask, depends_on=["llm:guild"])
    def ask(self, ctx: ProcessContext[Ask], llm: LLM) -> None:
        try:
            ctx.send(_answer(llm.completion(_request(ctx.payload)), llm))
        except APIError as err:
            ctx.send(_failed(err))


class GuildAsyncAgent(Agent):
    @agent.processor(Ask, depends_on=["llm:guild"])
    async def ask(self, ctx: ProcessContext[Ask], llm: LLM) -> None:
        try:
            ctx.send(_answer(await llm.async_completion(_request(ctx.payload)), llm))
        except APIError as err:
            ctx.send(_failed(err))


class OrgAgent(Agent):
    @agent.processor(Ask, depends_on=["llm:org"])
    def ask(self, ctx: ProcessContext[Ask], llm: LLM) -> None:
        ctx.send(_answer(llm.completion(_request(ctx.payload)), llm))


class ToolLoopAgent(Agent):
    """Uses the injected LLM as llm_resolver's: run_tools with a Python tool."""

    @agent.processor(Ask, depends_on=["llm"])
    def ask(self, ctx: ProcessContext[Ask], llm: LLM) -> None:
        from llm_resolver import run_tools, tool

        @tool
        def population(city: str) -> int:
            """How many people live in a city.

            Args:
                city: the city's name
            """
            return 2_100_000 if city == "Paris" else 0

        assert isinstance(llm, RusticLLM)
        result = run_tools(llm, ctx.payload.text, [population])
        ctx.send_dict({"text": result.response.text, "steps": len(result.steps)})
