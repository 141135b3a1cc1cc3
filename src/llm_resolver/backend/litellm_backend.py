"""``LiteLLMBackend``: the port over LiteLLM, the one place a call reaches it.

Each method makes exactly one request: LiteLLM's retries and the provider SDK's are switched off,
and whatever LiteLLM raises leaves as an ``LLMError`` (``backend.errors``), its text scrubbed of the
target's secrets.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from llm_resolver.backend.convert import reply_from, usage_from, vectors_from
from llm_resolver.backend.errors import map_exception
from llm_resolver.backend.litellm_streams import LiteLLMAsyncStream, LiteLLMStream
from llm_resolver.backend.loader import litellm
from llm_resolver.backend.port import Reply, Vectors, Wire
from llm_resolver.backend.targets import Target
from llm_resolver.config.providers import provider_of

# Providers whose streams LiteLLM opens on clients of its own, made without the call's timeout.
_OWN_STREAM_CLIENT = frozenset({"gemini", "vertex_ai", "vertex_ai_beta"})


class _NoRetries(int):
    """Zero retries that LiteLLM's OpenAI embedding path cannot lose: it reads ``max_retries or
    DEFAULT_MAX_RETRIES``, which turns a plain 0 into 2 hidden SDK retries per attempt."""

    def __bool__(self) -> bool:
        return True


NO_SDK_RETRIES = _NoRetries(0)


class LiteLLMBackend:
    """Stateless: one instance serves any number of LLMs, threads and event loops."""

    # Requests are not sent with the attempt's share of a deadline: LiteLLM keys its OpenAI and Gemini
    # clients on the timeout, so one that varies per call would build a client per call. The executor
    # bounds the attempt (a stream's up to its first content, where the deadline ends) by ``seconds``
    # itself; only clients made per call anyway get ``seconds``.

    def send(self, target: Target, wire: Wire, seconds: float) -> Reply:
        try:
            raw = litellm().completion(**chat_kwargs(target, wire, _sync_timeout(target, seconds)))
            return reply_from(raw, target.model)
        except Exception as exc:
            raise map_exception(exc, target.model, target.secrets) from None

    async def asend(self, target: Target, wire: Wire, seconds: float) -> Reply:
        try:
            raw = await litellm().acompletion(**chat_kwargs(target, wire, target.timeout))
            return reply_from(raw, target.model)
        except Exception as exc:
            raise map_exception(exc, target.model, target.secrets) from None

    def stream(self, target: Target, wire: Wire, seconds: float) -> LiteLLMStream:
        kwargs = chat_kwargs(target, wire, _sync_timeout(target, seconds), stream=True)
        if _own_stream_client(target):
            # A sync client with the attempt's timeout (LiteLLM builds a fresh one per such call
            # anyway), so a stalled stream fails in ``seconds``, not in minutes.
            kwargs["client"] = litellm().llms.custom_httpx.http_handler.HTTPHandler(timeout=seconds)
        try:
            return LiteLLMStream(litellm().completion(**kwargs), target)
        except Exception as exc:
            raise map_exception(exc, target.model, target.secrets) from None

    async def astream(self, target: Target, wire: Wire, seconds: float) -> LiteLLMAsyncStream:
        kwargs = chat_kwargs(target, wire, target.timeout, stream=True)
        try:
            if not _own_stream_client(target):
                return LiteLLMAsyncStream(await litellm().acompletion(**kwargs), target)
            # Its shared async client has no timeout of ours: bound the opening and the first content.
            wrapper = await asyncio.wait_for(litellm().acompletion(**kwargs), seconds)
            return LiteLLMAsyncStream(wrapper, target, first_within=seconds)
        except Exception as exc:
            raise map_exception(exc, target.model, target.secrets) from None

    def embed(self, target: Target, texts: list[str], options: Wire, seconds: float) -> Vectors:
        try:
            raw = litellm().embedding(
                **embedding_kwargs(target, texts, options, _sync_timeout(target, seconds))
            )
            return Vectors(vectors_from(raw, len(texts), target.model), usage_from(raw))
        except Exception as exc:
            raise map_exception(exc, target.model, target.secrets) from None

    async def aembed(self, target: Target, texts: list[str], options: Wire, seconds: float) -> Vectors:
        try:
            raw = await litellm().aembedding(**embedding_kwargs(target, texts, options, target.timeout))
            return Vectors(vectors_from(raw, len(texts), target.model), usage_from(raw))
        except Exception as exc:
            raise map_exception(exc, target.model, target.secrets) from None


def chat_kwargs(target: Target, wire: Wire, timeout: float, *, stream: bool = False) -> dict[str, Any]:
    """The wire form plus what one attempt needs; the credentials come from the target alone."""
    kw: dict[str, Any] = {**wire, "timeout": timeout, "num_retries": 0, "max_retries": 0}
    kw.update(_credentials(target))
    if "tools" in kw:
        # LiteLLM 1.106 imports the optional `mcp` package whenever tools are passed (to look for MCP
        # gateway tools) and fails without it; this is its own per-call opt-out.
        kw["_skip_mcp_handler"] = True
    if stream:
        kw["stream"] = True
        kw["stream_options"] = {"include_usage": True}
    return kw


def embedding_kwargs(target: Target, texts: list[str], options: Wire, timeout: float) -> dict[str, Any]:
    """``options`` are per-call extras such as ``dimensions``; they cannot override what follows."""
    kw: dict[str, Any] = {
        **options,
        "model": target.model,
        "input": texts,
        "timeout": timeout,
        "num_retries": 0,
        "max_retries": NO_SDK_RETRIES,
    }
    for name in ("api_base", "api_version"):
        value = getattr(target, name)
        if value is not None:
            kw[name] = value
    kw.update(_credentials(target))
    return kw


def _credentials(target: Target) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if target.api_key is not None:
        kw["api_key"] = target.api_key.get_secret_value()
    if target.organization is not None:
        kw["organization"] = target.organization
    if target.extra_headers:
        kw["extra_headers"] = {k: v.get_secret_value() for k, v in target.extra_headers.items()}
    return kw


def _sync_timeout(target: Target, seconds: float) -> float:
    """A sync attempt the deadline gave up on runs on in its thread until a read times out, so it gets
    its share rounded up to a whole second: a few clients per target, and no thread left for long."""
    return min(target.timeout, float(math.ceil(seconds)))


def _own_stream_client(target: Target) -> bool:
    return provider_of(target.model) in _OWN_STREAM_CLIENT
