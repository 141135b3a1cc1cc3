"""Renders what a request gets back for a scripted reply: a JSON body or an SSE stream."""

from __future__ import annotations

from dataclasses import dataclass

from .completion import build_completion
from .openai_format import embeddings_response
from .routing import MODEL_LISTINGS, Route
from .script import Reply
from .state import EmulatorState
from .wire import ChatRequest, JSONObject, SseStream


@dataclass(frozen=True)
class Call:
    """One routed request, with what answers are built from; ``seq`` makes response ids unique."""

    route: Route
    body: JSONObject
    chat: ChatRequest | None
    model: str | None
    seq: int


@dataclass(frozen=True)
class Answer:
    """Either a JSON body or an SSE stream (whose events are spaced ``chunk_delay`` apart)."""

    body: JSONObject | None = None
    stream: SseStream | None = None
    chunk_delay: float = 0.0


def render(reply: Reply, call: Call, state: EmulatorState, min_pieces: int = 1) -> Answer:
    """The answer ``reply`` gives to ``call``; ``min_pieces`` is passed on to the text splitter."""
    route, chat = call.route, call.chat
    if route.kind == "models":
        return Answer(body=MODEL_LISTINGS[route.provider](list(state.models)))
    if chat is None:
        prompt_tokens = reply.usage[0] if reply.usage else None
        return Answer(body=reply.json or embeddings_response(call.body, prompt_tokens))
    if reply.json is not None:
        if chat.stream:
            return Answer(stream=route.chat.raw_stream(reply.json), chunk_delay=reply.chunk_delay)
        return Answer(body=reply.json)
    completion = build_completion(
        reply,
        prompt_text=chat.prompt_text,
        echo_text=chat.last_user_text,
        next_call_id=state.next_call_id,
        min_pieces=min_pieces,
    )
    model = call.model or ""
    if chat.stream:
        include_usage = chat.include_usage and completion.usage_in_stream
        stream = route.chat.stream(completion, model, call.seq, include_usage)
        return Answer(stream=stream, chunk_delay=reply.chunk_delay)
    return Answer(body=route.chat.response(completion, model, call.seq))
