"""A PydanticAI Model over a resolved LLM: PydanticAI runs the agent graph (tools, output validation,
retries of its own), the LLM keeps its retries, fallbacks, budgets, meters, cache and hooks, and its
typed errors reach the caller unchanged."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic_ai import RunContext
from pydantic_ai.messages import ModelMessage, ModelResponse, ModelResponseStreamEvent
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.profiles import ModelProfile
from pydantic_ai.settings import ModelSettings

from llm_resolver import LLM, AsyncChatStream
from llm_resolver_pydantic_ai.mapping import (
    finish_reason,
    model_response,
    provider_details,
    provider_name,
    request_options,
    request_usage,
)

# What the LLM carries for any model it reaches: tools, and JSON-schema output (LiteLLM maps the
# schema per provider). Image output is not something a chat completion returns.
PROFILE = ModelProfile(
    supports_tools=True, supports_json_schema_output=True, supports_json_object_output=True
)


class ResolverModel(Model):
    """``Agent(ResolverModel(llm), ...)``. ``model_name`` is the configured model; each response's
    ``model_name`` is the model that answered it (a fallback's, after a fallback)."""

    def __init__(self, llm: LLM, *, settings: ModelSettings | None = None) -> None:
        super().__init__(settings=settings, profile=PROFILE)
        self.llm = llm

    @property
    def model_name(self) -> str:
        return self.llm.model

    @property
    def system(self) -> str:
        return "llm-resolver"

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        settings, params = self.prepare_request(model_settings, model_request_parameters)
        options = request_options(messages, settings, params)
        return model_response(await self.llm.acomplete(options.pop("messages"), **options))

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: RunContext[Any] | None = None,
    ) -> AsyncGenerator[StreamedResponse]:
        settings, params = self.prepare_request(model_settings, model_request_parameters)
        options = request_options(messages, settings, params)
        async with self.llm.astream(options.pop("messages"), **options) as stream:
            yield ResolverStreamedResponse(
                model_request_parameters=params, _model_name=self.llm.model, _stream=stream
            )


@dataclass
class ResolverStreamedResponse(StreamedResponse):
    """Deltas as PydanticAI events; usage, cost and the answering model once the stream is exhausted."""

    _model_name: str
    _stream: AsyncChatStream
    _timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        async for chunk in self._stream:
            if chunk.text:
                for event in self._parts_manager.handle_text_delta(
                    vendor_part_id="content", content=chunk.text
                ):
                    yield event
            for delta in chunk.tool_calls:
                maybe = self._parts_manager.handle_tool_call_delta(
                    vendor_part_id=delta.index,
                    tool_name=delta.name,
                    args=delta.arguments or None,
                    tool_call_id=delta.id,
                )
                if maybe is not None:
                    yield maybe
        response = self._stream.response
        self._model_name = response.model
        self._usage = request_usage(response.usage)
        self.finish_reason = finish_reason(response)
        self.provider_details = provider_details(response)

    async def close_stream(self) -> None:
        await self._stream.aclose()

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def provider_name(self) -> str | None:
        return provider_name(self._model_name)

    @property
    def provider_url(self) -> None:
        return None

    @property
    def timestamp(self) -> datetime:
        return self._timestamp
