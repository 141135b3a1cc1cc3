"""Building LiteLLM's keyword arguments and making exactly one request per call."""

from __future__ import annotations

from typing import Any

from llm_resolver.backend.loader import litellm
from llm_resolver.backend.targets import Target
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.config.providers import provider_of
from llm_resolver.types.request import ChatRequest

_SAMPLING = ("temperature", "top_p", "max_tokens", "frequency_penalty", "presence_penalty")


def chat_kwargs(
    target: Target, request: ChatRequest, config: LiteLLMConfig, *, timeout: float, stream: bool
) -> dict[str, Any]:
    """Everything LiteLLM needs for one attempt; its and the provider SDK's retries are switched off.

    Provider options (validated against an allow-list where they entered) go in first, so nothing
    in them could override the endpoint, credentials, timeout or retries set after them."""
    kw: dict[str, Any] = {**config.provider_options, **request.provider_options}
    kw |= {
        "model": target.model,
        "messages": request.messages_openai(),
        "timeout": timeout,
        "num_retries": 0,
        "max_retries": 0,
    }
    kw.update(endpoint_kwargs(target))
    for name in _SAMPLING:
        value = getattr(request, name, None)
        if value is None:
            value = getattr(config, name)
        if value is not None:
            kw[name] = value
    for name in ("stop", "seed", "tool_choice", "response_format"):
        value = getattr(request, name)
        if value is not None:
            kw[name] = value
    tools = request.tools_openai()
    if tools:
        kw["tools"] = tools
        # LiteLLM 1.106 imports the optional `mcp` package whenever tools are passed (to look for MCP
        # gateway tools) and fails without it; this is its own per-call opt-out.
        kw["_skip_mcp_handler"] = True
    if stream:
        kw["stream"] = True
        kw["stream_options"] = {"include_usage": True}
    return kw


def endpoint_kwargs(target: Target) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if target.api_key is not None:
        kw["api_key"] = target.api_key.get_secret_value()
    for name in ("api_base", "api_version", "organization"):
        value = getattr(target, name)
        if value is not None:
            kw[name] = value
    if target.extra_headers:
        kw["extra_headers"] = {k: v.get_secret_value() for k, v in target.extra_headers.items()}
    return kw


# Providers whose streams LiteLLM opens on clients of its own, made without the call's timeout.
_OWN_STREAM_CLIENT = frozenset({"gemini", "vertex_ai", "vertex_ai_beta"})


def stream_ignores_timeout(target: Target) -> bool:
    return provider_of(target.model) in _OWN_STREAM_CLIENT


def sync_stream_client(target: Target, timeout: float) -> dict[str, Any]:
    """For those providers, a sync client that has the attempt's timeout (LiteLLM builds a fresh one
    per such call anyway), so a stalled stream fails in ``timeout`` seconds, not minutes."""
    if not stream_ignores_timeout(target):
        return {}
    handler = litellm().llms.custom_httpx.http_handler.HTTPHandler
    return {"client": handler(timeout=timeout)}


def complete_once(kwargs: dict[str, Any]) -> Any:
    return litellm().completion(**kwargs)


async def acomplete_once(kwargs: dict[str, Any]) -> Any:
    return await litellm().acompletion(**kwargs)


class _NoRetries(int):
    """Zero retries that LiteLLM's OpenAI embedding path cannot lose: it reads ``max_retries or
    DEFAULT_MAX_RETRIES``, which turns a plain 0 into 2 hidden SDK retries per attempt."""

    def __bool__(self) -> bool:
        return True


NO_SDK_RETRIES = _NoRetries(0)


def embedding_kwargs(
    target: Target, texts: list[str], *, timeout: float, options: dict[str, Any]
) -> dict[str, Any]:
    """One embedding request: ``options`` are per-call extras such as ``dimensions``; retries off."""
    kw: dict[str, Any] = {
        "model": target.model,
        "input": texts,
        "timeout": timeout,
        "num_retries": 0,
        "max_retries": NO_SDK_RETRIES,
    }
    kw.update(endpoint_kwargs(target))
    return {**options, **kw}


def embed_once(kwargs: dict[str, Any]) -> Any:
    return litellm().embedding(**kwargs)


async def aembed_once(kwargs: dict[str, Any]) -> Any:
    return await litellm().aembedding(**kwargs)
