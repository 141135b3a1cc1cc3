"""Maps a request line (and, for the shared model listing, its headers) to a provider endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import anthropic_format, gemini_format, openai_format
from .recording import Provider, RequestKind
from .wire import ChatFormat, ErrorResponse, JSONObject

ErrorRenderer = Callable[[int, str | None, str | None, float | None], ErrorResponse]

ERRORS: Mapping[Provider, ErrorRenderer] = {
    "openai": openai_format.openai_error,
    "anthropic": anthropic_format.anthropic_error,
    "gemini": gemini_format.gemini_error,
}
MODEL_LISTINGS: Mapping[Provider, Callable[[list[str]], JSONObject]] = {
    "openai": openai_format.models_listing,
    "anthropic": anthropic_format.models_listing,
    "gemini": gemini_format.models_listing,
}
_CHAT: Mapping[Provider, ChatFormat] = {
    "openai": openai_format.OpenAIChat(),
    "anthropic": anthropic_format.AnthropicChat(),
    "gemini": gemini_format.GeminiChat(),
}
_GEMINI_CHAT = re.compile(
    r"/v1beta/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)"
)


@dataclass(frozen=True)
class Route:
    """The endpoint a request hit; ``path_model`` and ``stream_path`` come from Gemini's URL scheme."""

    provider: Provider
    kind: RequestKind
    path_model: str | None = None
    stream_path: bool = False

    @property
    def chat(self) -> ChatFormat:
        return _CHAT[self.provider]


def route_for(method: str, path: str, headers: Mapping[str, str]) -> Route | None:
    """The endpoint for ``method`` + ``path`` (query excluded), or ``None`` when nothing serves it."""
    path = path.rstrip("/")
    if method == "POST":
        if path == "/v1/chat/completions":
            return Route("openai", "chat")
        if path == "/v1/embeddings":
            return Route("openai", "embeddings")
        if path == "/v1/messages":
            return Route("anthropic", "chat")
        match = _GEMINI_CHAT.fullmatch(path)
        if match:
            return Route("gemini", "chat", match["model"], match["method"] == "streamGenerateContent")
    if method == "GET":
        if path == "/v1/models":
            anthropic = "x-api-key" in headers or "anthropic-version" in headers
            return Route("anthropic" if anthropic else "openai", "models")
        if path == "/v1beta/models":
            return Route("gemini", "models")
    return None
