"""The running emulator: what it prints to get a person started, and the wait until it is stopped."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from llm_resolver import SpecError
from llm_resolver.cli.console import stdout_console
from llm_resolver.testing import ProviderEmulator, RecordedRequest, Reply

# The spec's dependency names, wire formats and models: each a default model the emulator lists.
TARGETS = (
    ("llm", "OpenAI", "openai/gpt-4o-mini", "openai_base"),
    ("anthropic", "Anthropic", "anthropic/claude-haiku-4-5", "anthropic_base"),
    ("gemini", "Gemini", "gemini/gemini-2.5-flash", "gemini_base"),
)
API_KEY = "emulator"  # any key is accepted; LiteLLM refuses to send a request without one
_POLL_S = 0.25


def serve(host: str, port: int, *, chunk_delay: float, quiet: bool) -> int:
    """Serve until Ctrl-C (KeyboardInterrupt: the CLI's "interrupted", 130) or SIGTERM (0)."""
    console = stdout_console()
    emulator = ProviderEmulator(host=host, port=port)
    try:
        emulator.start()
    except OSError as exc:
        raise SpecError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick another --port (0: a free one)"
        ) from None
    try:
        with _terminated() as stop:
            emulator.default_reply = Reply(chunk_delay=chunk_delay)
            console.print(banner(emulator), markup=False)
            seen = 0
            while not stop.wait(_POLL_S):
                received = emulator.requests[seen:]
                seen += len(received)
                if not quiet:
                    for request in received:
                        console.print(request_line(request), style="dim", markup=False)
    finally:
        emulator.stop()
    console.print("emulator stopped", markup=False)
    return 0


def banner(emulator: ProviderEmulator) -> str:
    bases = {attribute: getattr(emulator, attribute) for *_, attribute in TARGETS}
    openai_base = emulator.openai_base
    width = max(len(base) for base in bases.values())
    lines = [
        f"provider emulator listening on {emulator.url} (Ctrl-C stops it)",
        "",
        *(
            f"  {wire:<10} api_base {bases[attribute]:<{width}}  e.g. {model}"
            for _, wire, model, attribute in TARGETS
        ),
        "",
        "Every chat is answered with an echo of its last user message, with usage (costs show);",
        f"any API key is accepted (the spec below uses {API_KEY!r}).",
        "",
        "A spec for --spec (save it as emulator.yaml):",
        "",
    ]
    for name, _, model, attribute in TARGETS:
        lines += [
            f"{name}:",
            "  class_name: litellm",
            "  properties:",
            f"    model: {model}",
            f"    api_base: {bases[attribute]}",
            f"    api_key: {API_KEY}",
        ]
    lines += [
        "",
        "Try:",
        f'  OPENAI_API_KEY={API_KEY} llm-resolver complete --model openai/gpt-4o-mini --api-base {openai_base} "Hello"',
        f"  OPENAI_API_KEY={API_KEY} llm-resolver chat --model openai/gpt-4o-mini --api-base {openai_base}",
        '  llm-resolver complete --spec emulator.yaml --name anthropic "Hello"',
        "  llm-resolver chat --spec emulator.yaml        (then /model anthropic, /model gemini)",
        "",
    ]
    return "\n".join(lines)


def request_line(request: RecordedRequest) -> str:
    stamp = time.strftime("%H:%M:%S")
    model = f" {request.model}" if request.model else ""
    streamed = " (stream)" if request.stream else ""
    return f"{stamp} {request.provider} {request.method} {request.path}{model}{streamed}"


@contextlib.contextmanager
def _terminated() -> Iterator[threading.Event]:
    """An event SIGTERM sets (a supervisor stopping us: a clean exit); the old handler is put back."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handle)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)
