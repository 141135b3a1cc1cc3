"""A chat request in wire form: the OpenAI-shaped keyword arguments one target is sent.

Built once per target of a call; the response cache keys on it and the backend sends it, adding what
is not part of the request's meaning (credentials, timeout, retries, streaming).
"""

from __future__ import annotations

from llm_resolver.backend.port import Wire
from llm_resolver.backend.targets import Target
from llm_resolver.config.models import LiteLLMConfig
from llm_resolver.types.request import ChatRequest

_SAMPLING = ("temperature", "top_p", "max_tokens", "frequency_penalty", "presence_penalty")


def chat_wire(target: Target, request: ChatRequest, config: LiteLLMConfig) -> Wire:
    """Provider options (validated against an allow-list where they entered) go in first, so nothing
    in them could override the model or endpoint set after them."""
    kw: Wire = {**config.provider_options, **request.provider_options}
    kw["model"] = target.model
    kw["messages"] = request.messages_openai()
    for name in ("api_base", "api_version"):
        value = getattr(target, name)
        if value is not None:
            kw[name] = value
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
    return kw
