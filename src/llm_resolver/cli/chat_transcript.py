"""``/save`` and ``/load``: a conversation as a JSON list of OpenAI-shaped messages, so a file saved here
can be read by any tool that speaks that shape, and one written by such a tool can be loaded."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from llm_resolver import LLMBadRequestError, Message

MAX_BYTES = 64 * 1024 * 1024  # images travel inline as data URLs, so a transcript may be large


class TranscriptError(Exception):
    """A transcript that cannot be written or read; the message says which file and what to change."""


def save(path: Path, messages: list[Message]) -> None:
    try:
        rows = [m.to_openai() for m in messages]
    except LLMBadRequestError as exc:  # a source only a content loader reads (a PDF) has no JSON form
        raise TranscriptError(f"cannot save {path}: {exc}") from None
    try:
        path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise TranscriptError(f"cannot write {path}: {exc.strerror or exc}") from None


def load(path: Path) -> list[Message]:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TranscriptError(f"{path} is {size} bytes; a transcript may be at most {MAX_BYTES}")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TranscriptError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TranscriptError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, list):
        raise TranscriptError(f"{path}: expected a JSON list of messages, got {type(data).__name__}")
    messages = []
    for index, row in enumerate(data):
        try:
            messages.append(Message.model_validate(row))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise TranscriptError(
                f"{path}: message {index}{f' {where}' if where else ''}: {error['msg']}"
            ) from None
    return messages
