"""A LangChain chat model over a resolved LLM: LangChain drives the agent, the LLM keeps its retries,
fallbacks, budgets, meters, cache and hooks, and its typed errors reach the caller unchanged."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from pydantic import BaseModel, ConfigDict

from llm_resolver import LLM, ChatResponse, DependencySpec, Scope
from llm_resolver_langchain.messages import last_chunk, to_ai_chunk, to_ai_message, to_messages, unsupported

StructuredMethod = Literal["function_calling", "json_schema", "json_mode"]


class ResolverChatModel(BaseChatModel):
    """``ResolverChatModel(llm=llm)``; call options (``temperature``, ``max_tokens``, ``stop``…, bound or
    passed per call) become the request's own fields, so unknown ones are refused by name."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llm: LLM

    @classmethod
    def from_spec(
        cls, spec: DependencySpec | Mapping[str, Any], *, scope: Scope | None = None
    ) -> ResolverChatModel:
        """The LLM a spec resolves to for ``scope``, memoised per scope like any resolution."""
        found = spec if isinstance(spec, DependencySpec) else DependencySpec(**spec)
        return cls(llm=found.to_resolver().get_or_resolve(scope))

    @property
    def _llm_type(self) -> str:
        return "llm-resolver"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.llm.model}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _result(self.llm.complete(to_messages(messages), **_options(stop, kwargs)))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _result(await self.llm.acomplete(to_messages(messages), **_options(stop, kwargs)))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with self.llm.stream(to_messages(messages), **_options(stop, kwargs)) as stream:
            for chunk in stream:
                piece = ChatGenerationChunk(message=to_ai_chunk(chunk))
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=piece)
                yield piece
            yield _final(stream.response)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        async with self.llm.astream(to_messages(messages), **_options(stop, kwargs)) as stream:
            async for chunk in stream:
                piece = ChatGenerationChunk(message=to_ai_chunk(chunk))
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=piece)
                yield piece
            yield _final(stream.response)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | bool | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """LangChain tools, pydantic classes, functions or OpenAI tool dicts; ``tool_choice`` takes
        LangChain's words (``"any"``, a tool name, ``True`` for the only tool) or OpenAI's."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = _tool_choice(tool_choice, formatted)
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: StructuredMethod = "function_calling",
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """``function_calling`` forces a tool call (LangChain's own way); ``json_schema`` sends the schema
        as a native ``response_format`` (LiteLLM maps it per provider); ``json_mode`` asks for any JSON."""
        if method == "function_calling":
            return super().with_structured_output(schema, include_raw=include_raw, **kwargs)
        if method not in ("json_schema", "json_mode"):
            raise unsupported(
                f"structured output method {method!r}; use function_calling, json_schema or json_mode"
            )
        if kwargs:
            raise unsupported(f"with_structured_output options {sorted(kwargs)} with method={method!r}")
        model = schema if isinstance(schema, type) and issubclass(schema, BaseModel) else None
        if method == "json_mode":
            response_format: dict[str, Any] = {"type": "json_object"}
        else:
            json_schema = model.model_json_schema() if model else convert_to_json_schema(schema)
            name = re.sub(r"[^a-zA-Z0-9_-]", "_", str(json_schema.get("title") or "output"))[:64]
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": json_schema, "strict": False},
            }
        llm = self.bind(
            response_format=response_format,
            ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
        )
        parser: Runnable[Any, Any] = (
            PydanticOutputParser(pydantic_object=model) if model else JsonOutputParser()
        )
        if not include_raw:
            return llm | parser
        parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        ).with_fallbacks([RunnablePassthrough.assign(parsed=lambda _: None)], exception_key="parsing_error")
        return RunnableMap(raw=llm) | parsed


def _options(stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**kwargs, "stop": stop} if stop else kwargs


def _result(response: ChatResponse) -> ChatResult:
    return ChatResult(
        generations=[
            ChatGeneration(
                message=to_ai_message(response), generation_info={"finish_reason": response.finish_reason}
            )
        ],
        llm_output={"model_name": response.model},
    )


def _final(response: ChatResponse) -> ChatGenerationChunk:
    return ChatGenerationChunk(
        message=last_chunk(response), generation_info={"finish_reason": response.finish_reason}
    )


def _tool_choice(choice: str | bool | dict[str, Any], tools: list[dict[str, Any]]) -> str | dict[str, Any]:
    names = [t["function"]["name"] for t in tools]
    if isinstance(choice, dict) or choice in ("auto", "none", "required"):
        return choice
    if choice is False:
        return "none"
    if choice == "any" or (choice is True and len(names) != 1):
        return "required"
    name = names[0] if choice is True else choice
    if not isinstance(name, str) or name not in names:
        raise unsupported(f"tool_choice={choice!r}: name one of the bound tools {names}")
    return {"type": "function", "function": {"name": name}}
