"""Turns a scripted :class:`Reply` into concrete, provider-neutral answer data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .script import Reply

_MAX_DEFAULT_CHUNKS = 8
_WORD = re.compile(r"\s*\S+\s*")


@dataclass(frozen=True)
class ToolCall:
    """A tool call with its id settled and its arguments as the exact JSON text to send."""

    id: str
    name: str
    arguments: str

    def arguments_object(self) -> Any:
        """Arguments for providers whose wire format needs a JSON value; invalid JSON stays a string."""
        try:
            return json.loads(self.arguments)
        except ValueError:
            return self.arguments


@dataclass(frozen=True)
class Completion:
    """Everything a provider format needs to render one answer, JSON or streamed.

    ``finish_reason`` uses OpenAI's vocabulary; formats map it to their own.
    """

    text: str | None
    tool_calls: tuple[ToolCall, ...]
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    finish_reason: str
    pieces: tuple[str, ...]
    usage_in_stream: bool

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def estimate_tokens(text: str) -> int:
    """A deterministic token estimate (about four characters a token, at least one)."""
    return max(1, (len(text) + 3) // 4)


def split_text(text: str, chunks: int | None, min_pieces: int = 1) -> tuple[str, ...]:
    """Cut ``text`` into stream pieces: by word (at most eight) by default, else ``chunks`` even slices.

    ``min_pieces`` forces a finer cut when the text is short, so a mid-stream drop always has text left.
    """
    if not text:
        return ()
    words = _WORD.findall(text) or [text]
    if chunks is None and len(words) >= min_pieces:
        return _even_groups(words, max(min_pieces, min(_MAX_DEFAULT_CHUNKS, len(words))))
    return _even_groups(list(text), max(chunks or 1, min_pieces))


def _even_groups(items: list[str], count: int) -> tuple[str, ...]:
    count = min(count, len(items))
    return tuple(
        "".join(items[i * len(items) // count : (i + 1) * len(items) // count]) for i in range(count)
    )


def build_completion(
    reply: Reply, *, prompt_text: str, echo_text: str, next_call_id: Callable[[], str], min_pieces: int = 1
) -> Completion:
    """Fill in the reply's defaults: echo text, tool-call ids, usage estimate, finish reason."""
    tool_calls = tuple(
        ToolCall(
            id=spec.id or next_call_id(),
            name=spec.name,
            arguments=spec.arguments if isinstance(spec.arguments, str) else json.dumps(spec.arguments),
        )
        for spec in reply.tool_calls
    )
    text = reply.text if reply.text is not None or tool_calls else "echo: " + echo_text
    if reply.usage is not None:
        prompt_tokens, completion_tokens = reply.usage
    else:
        generated = (text or "") + "".join(call.name + call.arguments for call in tool_calls)
        prompt_tokens, completion_tokens = estimate_tokens(prompt_text), estimate_tokens(generated)
    return Completion(
        text=text,
        tool_calls=tool_calls,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cached_tokens=reply.cached_tokens,
        finish_reason=reply.finish_reason or ("tool_calls" if tool_calls else "stop"),
        pieces=split_text(text or "", reply.chunks, min_pieces),
        usage_in_stream=reply.send_usage_in_stream,
    )
