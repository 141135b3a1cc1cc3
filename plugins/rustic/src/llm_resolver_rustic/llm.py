"""``RusticLLM``: Rustic's ``LLM`` and our ``llm_resolver.LLM`` on one object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rustic_ai.core.guild.agent_ext.depends.llm import LLM as RusticLLMBase
from rustic_ai.core.guild.agent_ext.depends.llm.models import ChatCompletionRequest, ChatCompletionResponse

from llm_resolver import (
    AsyncChatStream,
    ChatResponse,
    ChatStream,
    EmbeddingResponse,
    InMemoryMeter,
    LiteLLM,
    LiteLLMConfig,
    LLMError,
    ModelInfo,
    Scope,
    Tool,
)
from llm_resolver.types.request import RequestLike
from llm_resolver_rustic.convert import to_request, to_response
from llm_resolver_rustic.errors import to_rustic
from llm_resolver_rustic.loops import released_after

if TYPE_CHECKING:
    from llm_resolver_rustic.pool import Pool


class RusticLLM(RusticLLMBase):
    """What a processor that ``depends_on=["llm"]`` receives.

    ``completion`` / ``async_completion`` speak Rustic's models; ``complete``, ``stream``, ``embed``…
    are llm-resolver's, so ``run_tools(llm, ...)`` works too. Every error is an ``LLMError`` that is
    also Rustic's ``APIError``. ``meter`` is shared by every LLM of its resolver's configuration in
    this org; ``scope`` keys what it spends.
    """

    def __init__(self, pool: Pool, llm: LiteLLM) -> None:
        self._pool = pool  # kept alive while any LLM handed out uses it
        self._llm = llm

    @property
    def model(self) -> str:
        return self._llm.model

    @property
    def scope(self) -> Scope:
        return self._llm.scope

    @property
    def config(self) -> LiteLLMConfig:
        return self._llm.config

    @property
    def meter(self) -> InMemoryMeter:
        return self._llm.meter

    @property
    def tools(self) -> list[Tool]:
        return self._llm.tools

    def get_config(self) -> dict[str, Any]:
        """The settings in effect, secrets masked (as every dump of a ``LiteLLMConfig`` is)."""
        config: dict[str, Any] = self.config.model_dump(mode="json", exclude_defaults=True)
        return config

    def charged_at(self, scope: Scope) -> RusticLLM:
        """This LLM with every call also held to ``budget_usd`` at ``scope`` (see llm_resolver)."""
        return RusticLLM(self._pool, self._llm.charged_at(scope))

    def __repr__(self) -> str:
        return f"RusticLLM(model={self.model!r}, scope={self.scope})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its config (each secret as its ``${VAR}``, or refused), scope and charged
        scopes; the receiver joins its own process's pool for them."""
        _, (config, scope, charged) = self._llm.__reduce__()
        return _unpickle, (config, scope, charged, self._pool.stream_completions)

    # Rustic's LLM -----------------------------------------------------------------------------------

    def completion(self, prompt: ChatCompletionRequest, model: str | None = None) -> ChatCompletionResponse:
        try:
            request, options = to_request(prompt)
            llm = self._for(model)
            if self._pool.stream_completions:
                with llm.stream(request, **options) as stream:
                    for _ in stream:
                        pass
                response = stream.response
            else:
                response = llm.complete(request, **options)
        except LLMError as error:
            raise to_rustic(error) from None
        return to_response(response, list(prompt.messages))

    async def async_completion(
        self, prompt: ChatCompletionRequest, model: str | None = None
    ) -> ChatCompletionResponse:
        try:
            request, options = to_request(prompt)
            llm = self._for(model)
            async with released_after():
                if self._pool.stream_completions:
                    async with llm.astream(request, **options) as stream:
                        async for _ in stream:
                            pass
                    response = stream.response
                else:
                    response = await llm.acomplete(request, **options)
        except LLMError as error:
            raise to_rustic(error) from None
        return to_response(response, list(prompt.messages))

    def _for(self, model: str | None) -> LiteLLM:
        """Rustic lets a call name another model: the same settings (fallbacks, retries, budget and
        meter included) with that model first."""
        if model is None or model == self.model:
            return self._llm
        return self._pool.with_model(model, self._llm.scope)

    # llm_resolver's LLM -----------------------------------------------------------------------------

    def complete(self, request: RequestLike, **options: Any) -> ChatResponse:
        try:
            return self._llm.complete(request, **options)
        except LLMError as error:
            raise to_rustic(error) from None

    async def acomplete(self, request: RequestLike, **options: Any) -> ChatResponse:
        try:
            async with released_after():
                return await self._llm.acomplete(request, **options)
        except LLMError as error:
            raise to_rustic(error) from None

    def stream(self, request: RequestLike, **options: Any) -> ChatStream:
        """Errors while streaming are llm_resolver's own (not converted)."""
        return self._llm.stream(request, **options)

    def astream(self, request: RequestLike, **options: Any) -> AsyncChatStream:
        """As ``stream``; call ``llm_resolver.aclose_clients()`` before the processor returns."""
        return self._llm.astream(request, **options)

    def embed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        try:
            return self._llm.embed(texts, **options)
        except LLMError as error:
            raise to_rustic(error) from None

    async def aembed(self, texts: str | Sequence[str], **options: Any) -> EmbeddingResponse:
        try:
            async with released_after():
                return await self._llm.aembed(texts, **options)
        except LLMError as error:
            raise to_rustic(error) from None

    def info(self) -> ModelInfo:
        return self._llm.info()

    def count_tokens(self, request: RequestLike, **options: Any) -> int:
        return self._llm.count_tokens(request, **options)


def _unpickle(
    config: LiteLLMConfig, scope: Scope, charged: tuple[Scope, ...], stream_completions: bool
) -> RusticLLM:
    from llm_resolver_rustic.pool import fingerprint, pool_for

    pool = pool_for(fingerprint(config, stream_completions), scope.org, config, stream_completions)
    llm = pool.get_or_resolve(scope)
    for parent in charged:
        llm = llm.charged_at(parent)
    return llm
