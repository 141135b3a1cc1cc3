"""Keeps stdout for the answer alone while a command runs.

LiteLLM ``print()``s a "Give Feedback / Get Help" banner to stdout on every provider error, which
would corrupt a piped answer. Silencing it takes a LiteLLM global we must not touch, so the CLI
sends stray prints to stderr instead and drops that banner on the way.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from typing import TextIO

_BANNER = ("Give Feedback / Get Help", "LiteLLM.Info: If you need to debug this error")


class _StrayPrints(io.TextIOBase):
    """A write-only text sink: complete lines go to ``target`` unless blank or part of the banner."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.strip() and not any(marker in line for marker in _BANNER):
                self._target.write(line + "\n")
        return len(text)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self._target.flush()


@contextlib.contextmanager
def answer_stdout() -> Iterator[TextIO]:
    """Yield the real stdout for the command's own output; other prints meanwhile go to stderr."""
    out = sys.stdout
    stray = _StrayPrints(sys.stderr)
    with contextlib.redirect_stdout(stray):
        try:
            yield out
        finally:
            stray.write("\n")


def end_line(out: TextIO, shown: str) -> None:
    """End an answer's line (also when a stream broke or was interrupted), so nothing follows on it."""
    if shown and not shown.endswith("\n"):
        out.write("\n")
    out.flush()
