"""An OpenAI Agents SDK Model over a resolved LLM: the SDK runs the agent loop (tools, handoffs,
output validation), the LLM keeps its retries, fallbacks, budgets, meters, cache and hooks, and its
typed errors reach the caller unchanged. Nothing here touches the SDK's default client, API or tracing."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, cast

from agents import Handoff, Model, ModelProvider, ModelResponse, ModelSettings, ModelTracing, Tool, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.items import TResponseInputItem, TResponseStreamEvent
from agents.models.chatcmpl_converter import Converter
from agents.models.chatcmpl_stream_handler import ChatCmplStreamHandler
from agents.models.fake_id import FAKE_RESPONSES_ID
from openai.types.chat import ChatCompletionChunk
from openai.types.chat.chat_completion_chunk import (
    Choice,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
)
from openai.types.responses import Response
from openai.types.responses.response_prompt_param import ResponsePromptParam

from llm_resolver import LLM, AsyncChatStream, SpecError
from llm_resolver_openai_agents.mapping import (
    completion_message,
    completion_usage,
    request_options,
    unsupported,
)

_FINISH_REASONS = frozenset({"stop", "length", "tool_calls", "content_filter", "function_call"})


class ResolverModel(Model):
    """``Agent(model=ResolverModel(llm), ...)``. Each response's output items carry the model that
    answered in ``provider_data["model"]``; with ``ModelSettings(preserve_raw_usage=True)`` its
    ``raw_usage`` also holds ``cost_usd`` and every attempt."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        prompt: ResponsePromptParam | None = None,
    ) -> ModelResponse:
        _refuse_server_state(previous_response_id, conversation_id, prompt)
        options = request_options(
            system_instructions, input, model_settings, tools, output_schema, handoffs, self.llm.model
        )
        response = await self.llm.acomplete(options.pop("messages"), **options)
        usage = completion_usage(response)
        return ModelResponse(
            output=Converter.message_to_output_items(
                completion_message(response), provider_data={"model": response.model}
            ),
            usage=Usage(
                requests=1,
                input_tokens=usage.prompt_tokens,
                output_tokens=usage.completion_tokens,
                total_tokens=usage.total_tokens,
                input_tokens_details=usage.prompt_tokens_details,  # type: ignore[arg-type]
            ),
            response_id=None,
            raw_usage=usage.model_dump(mode="json") if model_settings.preserve_raw_usage else None,
        )

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        prompt: ResponsePromptParam | None = None,
    ) -> AsyncIterator[TResponseStreamEvent]:
        """The SDK's own Chat Completions stream handler turns the deltas into Responses events."""
        _refuse_server_state(previous_response_id, conversation_id, prompt)
        options = request_options(
            system_instructions, input, model_settings, tools, output_schema, handoffs, self.llm.model
        )
        shell = Response(
            id=FAKE_RESPONSES_ID,
            created_at=time.time(),
            model=self.llm.model,
            object="response",
            output=[],
            tool_choice="auto",
            tools=[],
            parallel_tool_calls=False,
        )
        async with self.llm.astream(options.pop("messages"), **options) as stream:
            events = ChatCmplStreamHandler.handle_stream(
                shell,
                cast(Any, _completion_chunks(stream, self.llm.model)),
                model=self.llm.model,
                preserve_raw_usage=model_settings.preserve_raw_usage is True,
            )
            async for event in events:
                if event.type == "response.completed":
                    _stamp_answering_model(event.response, stream.response.model)
                yield event


class ResolverModelProvider(ModelProvider):
    """Named LLMs for ``RunConfig(model_provider=...)``: ``Agent(model="support")`` gets the LLM named
    ``support``; an agent without a model gets ``default``."""

    def __init__(self, llms: Mapping[str, LLM], *, default: str | None = None) -> None:
        if default is not None and default not in llms:
            raise SpecError(
                f"default: {default!r} is not one of the named LLMs {sorted(llms)}", field="default"
            )
        self._models = {name: ResolverModel(llm) for name, llm in llms.items()}
        self._default = default

    def get_model(self, model_name: str | None) -> Model:
        name = model_name or self._default
        if name not in self._models:
            raise SpecError(
                f"model {model_name!r}: this provider has the LLMs {sorted(self._models)}"
                + ("" if self._default else " and no default"),
                field="model",
            )
        return self._models[name]


def _refuse_server_state(
    previous_response_id: str | None, conversation_id: str | None, prompt: ResponsePromptParam | None
) -> None:
    for value, feature in (
        (previous_response_id, "previous_response_id (server-side conversation state)"),
        (conversation_id, "conversation_id (server-side conversation state)"),
        (prompt, "a stored prompt (prompt=...)"),
    ):
        if value:
            raise unsupported(feature)


async def _completion_chunks(stream: AsyncChatStream, model: str) -> AsyncIterator[ChatCompletionChunk]:
    """Our deltas as the Chat Completions chunks the SDK's handler reads, then one with the usage."""
    async for chunk in stream:
        calls = [
            ChoiceDeltaToolCall(
                index=d.index,
                id=d.id,
                type="function" if d.id else None,
                function=ChoiceDeltaToolCallFunction(name=d.name, arguments=d.arguments),
            )
            for d in chunk.tool_calls
        ]
        finish = chunk.finish_reason if chunk.finish_reason in _FINISH_REASONS else None
        delta = ChoiceDelta(content=chunk.text or None, tool_calls=calls or None)
        yield _chunk(model, [Choice(index=0, delta=delta, finish_reason=finish)])
    response = stream.response
    yield _chunk(response.model, [], usage=completion_usage(response))


def _chunk(model: str, choices: list[Choice], **fields: Any) -> ChatCompletionChunk:
    return ChatCompletionChunk(
        id="chatcmpl-llm-resolver",
        created=0,
        model=model,
        object="chat.completion.chunk",
        choices=choices,
        **fields,
    )


def _stamp_answering_model(response: Response, model: str) -> None:
    """The handler names the configured model; after a fallback another one answered."""
    response.model = model
    for item in response.output:
        data = getattr(item, "provider_data", None)
        if isinstance(data, dict):
            data["model"] = model
