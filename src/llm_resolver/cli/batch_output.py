"""``batch`` output: one JSON line per finished id, appended and flushed as each call ends.

A line is written whole, in one write, so a process that is killed loses at most the line being written;
on the next run that torn tail (no closing newline) is cut off and its id runs again.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any, BinaryIO

from llm_resolver import Attempt, ChatResponse, LLMError
from llm_resolver.cli.batch_input import JobId, id_key


def finished_ids(path: str) -> tuple[set[str], int]:
    """The ids (as ``id_key``) already answered in ``path``, and how many bytes of a torn last line were
    cut off. A missing file has none."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return set(), 0
    keep = data.rfind(b"\n") + 1
    torn = len(data) - keep
    if torn:
        with open(path, "r+b") as file:
            file.truncate(keep)
    done: set[str] = set()
    for raw in data[:keep].splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # not a result line (edited by hand?): its id, if any, runs again
        if isinstance(line, dict) and "id" in line:
            done.add(id_key(line["id"]))
    return done, torn


def success_line(job_id: JobId, response: ChatResponse) -> dict[str, Any]:
    return {
        "id": job_id,
        "text": response.text,
        "model": response.model,
        "usage": response.usage.model_dump(mode="json"),
        "cost_usd": response.cost_usd,
        "attempts": _attempts(response.attempts),
    }


def error_line(job_id: JobId, error: LLMError) -> dict[str, Any]:
    return {
        "id": job_id,
        "error": {"type": type(error).__name__, "message": " ".join(str(error).split())},
        "model": error.model,
        "attempts": _attempts(error.attempts),
    }


def _attempts(attempts: list[Attempt]) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json", exclude_none=True) for a in attempts]


class ResultWriter:
    """Appends result lines to OUT; each goes out in a single ``write`` straight to the file."""

    def __init__(self, path: str) -> None:
        self._file: BinaryIO = open(path, "ab", buffering=0)  # noqa: SIM115 - closed by close()

    def write(self, line: dict[str, Any]) -> None:
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
        written = self._file.write(data)
        if written is not None and written < len(data):  # a short write: finish the line
            self._file.write(data[written:])

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a pipe or a device cannot be synced; what was written stands
            os.fsync(self._file.fileno())
        self._file.close()
