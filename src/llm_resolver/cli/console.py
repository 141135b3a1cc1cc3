"""The rich console the commands print tables and notes with."""

from __future__ import annotations

import sys

from rich.console import Console

# Piped output is read by programs (grep, awk): one line per table row, never wrapped at 80 columns.
_PIPED_WIDTH = 1000


def stdout_console() -> Console:
    """A console on the real stdout (not one redirected later): tables fit the terminal, if any; lines
    of text are left whole for the terminal to wrap, so a path or a URL copies in one piece."""
    width = None if sys.stdout.isatty() else _PIPED_WIDTH
    return Console(file=sys.stdout, highlight=False, width=width, soft_wrap=True)
