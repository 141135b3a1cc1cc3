"""Exit codes and the one-line error report: configuration faults and call failures, never a traceback."""

from __future__ import annotations

from typing import TextIO

from llm_resolver.errors import LLMError, LLMFallbacksExhaustedError, PluginError, SpecError

EXIT_CALL_FAILED = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130


def exit_code(error: LLMError) -> int:
    """2 when the user must change their configuration, 1 when the call itself failed."""
    return EXIT_CONFIG if isinstance(error, SpecError | PluginError) else EXIT_CALL_FAILED


def report(error: LLMError, err: TextIO) -> int:
    kind = "configuration error" if exit_code(error) == EXIT_CONFIG else "call failed"
    text = " ".join(str(error).split())
    if len(error.attempts) > 1 and not isinstance(error, LLMFallbacksExhaustedError):
        from llm_resolver.readout import format_attempts  # pydantic types: not at --help

        text += f" ({format_attempts(error.attempts)})"  # the exhausted-fallbacks message lists them already
    err.write(f"llm-resolver: {kind}: {type(error).__name__}: {text}\n")
    return exit_code(error)
