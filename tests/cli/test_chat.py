"""``llm-resolver chat`` as a person uses it: the installed script in a pseudo-terminal, typing and
pressing Ctrl-C / Ctrl-D, against the provider emulator over HTTP."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import CONSOLE_SCRIPT, clean_env

PROMPT = "you> "
TIMEOUT = 90  # the first answer waits for LiteLLM's import; the machine is shared
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0"
    "000003010100c9fe92ef0000000049454e44ae426082"
)


class Chat:
    """One ``llm-resolver chat`` process on a pseudo-terminal."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.child = pexpect.spawn(
            str(CONSOLE_SCRIPT),
            ["chat", *args],
            env=clean_env({"TERM": "dumb", **env}),
            encoding="utf-8",
            codec_errors="replace",
            timeout=TIMEOUT,
            dimensions=(50, 200),
        )
        self.expect("/help lists commands")
        self.expect(PROMPT)

    def expect(self, text: str) -> str:
        """Wait for ``text``; return what came before it."""
        self.child.expect_exact(text)
        before: str = self.child.before
        return before

    def say(self, line: str) -> str:
        """Send a line and return everything printed up to the next prompt."""
        self.child.sendline(line)
        return self.expect(PROMPT)

    def exit_code(self) -> int | None:
        self.child.sendeof()
        self.child.expect(pexpect.EOF)
        self.child.close()
        status: int | None = self.child.exitstatus
        return status


@pytest.fixture
def chat(provider_emulator: ProviderEmulator, tmp_path: Path) -> Iterator[Callable[..., Chat]]:
    """Start chats on a spec naming two of the emulator's wire formats: ``llm`` (OpenAI) and
    ``anthropic``."""
    spec = tmp_path / "emulator.yaml"
    spec.write_text(
        "llm:\n"
        "  class_name: litellm\n"
        f"  properties: {{model: openai/gpt-4o-mini, api_base: '{provider_emulator.openai_base}', "
        "api_key: k, max_retries: 1}\n"
        "anthropic:\n"
        "  class_name: litellm\n"
        f"  properties: {{model: anthropic/claude-haiku-4-5, api_base: '{provider_emulator.anthropic_base}', "
        "api_key: k}\n"
    )
    started: list[Chat] = []

    def start(*args: str, **env: str) -> Chat:
        started.append(Chat(["--spec", str(spec), *args], env))
        return started[-1]

    yield start
    for session in started:
        session.child.close(force=True)


def messages(request_body: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(role, text) of each message an OpenAI-format request carried."""
    assert request_body is not None
    return [(m["role"], m["content"]) for m in request_body["messages"]]


def wait_for(condition: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_streamed_turn_shows_tokens_as_they_arrive_then_the_summary(
    provider_emulator: ProviderEmulator, chat: Callable[..., Chat]
) -> None:
    provider_emulator.script(Reply(text="first second third", chunks=3, chunk_delay=1.0, usage=(12, 5)))
    session = chat()

    session.child.sendline("hello there")
    session.expect("first ")
    assert provider_emulator.open_streams == 1  # shown while the answer is still being sent
    shown = session.expect(PROMPT)

    assert "second third" in shown
    assert "model openai/gpt-4o-mini, 17 tokens (12 in, 5 out), $0.0000048, 1 attempt" in shown
    request = provider_emulator.requests[-1]
    assert request.stream is True
    assert messages(request.body) == [("user", "hello there")]
    assert session.exit_code() == 0


def test_history_carries_over_turns_and_a_backslash_continues_a_line(
    provider_emulator: ProviderEmulator, chat: Callable[..., Chat]
) -> None:
    session = chat("--system", "be brief")

    assert "echo: one" in session.say("one")
    session.child.sendline("two \\")
    session.expect("...> ")
    assert "echo: two \nthree" in session.say("three").replace("\r\n", "\n")

    assert messages(provider_emulator.requests[-1].body) == [
        ("system", "be brief"),
        ("user", "one"),
        ("assistant", "echo: one"),
        ("user", "two \nthree"),
    ]
    assert session.exit_code() == 0


def test_model_switch_by_dependency_name_and_by_model_string_keeps_the_history(
    provider_emulator: ProviderEmulator, chat: Callable[..., Chat]
) -> None:
    session = chat()
    session.say("on openai")

    assert "model: anthropic (anthropic/claude-haiku-4-5)" in session.say("/model anthropic")
    shown = session.say("on anthropic")
    assert "model anthropic/claude-haiku-4-5" in shown
    claude = provider_emulator.requests[-1]
    assert (claude.provider, claude.model) == ("anthropic", "claude-haiku-4-5")
    assert claude.body is not None
    assert [m["role"] for m in claude.body["messages"]] == ["user", "assistant", "user"]

    session.say("/model llm")
    assert "model: llm (openai/gpt-4.1-nano)" in session.say("/model openai/gpt-4.1-nano")
    session.say("on nano")
    nano = provider_emulator.requests[-1]
    assert (nano.provider, nano.model) == ("openai", "gpt-4.1-nano")
    assert [role for role, _ in messages(nano.body)] == ["user", "assistant"] * 2 + ["user"]

    assert "model: llm (openai/gpt-4.1-nano)" in session.say("/model")  # no name: which one is in use
    assert session.exit_code() == 0


def test_ctrl_c_stops_the_answer_and_closes_its_stream_but_not_the_session(
    provider_emulator: ProviderEmulator, chat: Callable[..., Chat]
) -> None:
    words = " ".join(f"w{i}" for i in range(40))
    provider_emulator.script(Reply(text=words, chunks=40, chunk_delay=0.3))
    session = chat()

    session.child.sendline("tell me a long story")
    session.expect("w2 ")
    session.child.sendintr()
    shown = session.expect(PROMPT)

    assert "[stopped: the part shown is kept in the conversation]" in shown
    assert "w39" not in shown
    # The stream was closed, not left to run out: the emulator saw the client hang up mid-answer.
    assert wait_for(lambda: provider_emulator.open_streams == 0)
    assert provider_emulator.abandoned_streams == 1

    assert "echo: and now?" in session.say("and now?")
    history = messages(provider_emulator.requests[-1].body)
    assert [role for role, _ in history] == ["user", "assistant", "user"]
    partial = history[1][1]
    assert partial.startswith("w0 w1 w2")
    assert len(partial) < len(words)

    session.child.sendintr()  # at the prompt: says how to leave, and does not
    session.expect("Ctrl-D or /exit leaves")
    session.expect(PROMPT)
    assert session.child.isalive()
    assert "echo: still here" in session.say("still here")
    assert session.exit_code() == 0


def test_cost_and_attempts_tables(provider_emulator: ProviderEmulator, chat: Callable[..., Chat]) -> None:
    provider_emulator.script(Reply(text="a", usage=(12, 5)), model="gpt-4o-mini")
    provider_emulator.script(Reply(text="b", usage=(100, 10)), model="claude-haiku-4-5")
    provider_emulator.script(Fault.server_error(), Reply(text="c", usage=(12, 5)), model="gpt-4o-mini")
    session = chat()
    assert "nothing spent yet" in session.say("/cost")

    session.say("one")
    session.say("/model anthropic")
    session.say("two")
    session.say("/model llm")
    session.say("three")  # a 500, then a retry that answers
    cost = session.say("/cost")
    attempts = session.say("/attempts")

    rows = {line.split()[0]: line.split()[1:] for line in cost.splitlines() if line.strip()}
    assert rows["openai/gpt-4o-mini"] == ["2", "24", "10", "$0.0000096"]
    assert rows["anthropic/claude-haiku-4-5"] == ["1", "100", "10", "$0.00015"]
    assert rows["total"] == ["3", "124", "20", "$0.00016"]
    tries = [line.split() for line in attempts.splitlines() if line.strip()[:1].isdigit()]
    assert [(t[0], t[1], t[2]) for t in tries] == [
        ("1", "openai/gpt-4o-mini", "error"),
        ("2", "openai/gpt-4o-mini", "ok"),
    ]
    assert "LLMServiceError 500" in attempts
    assert session.exit_code() == 0


def test_a_failed_call_is_one_line_and_the_session_goes_on(
    provider_emulator: ProviderEmulator, chat: Callable[..., Chat]
) -> None:
    provider_emulator.script(Fault.auth())
    session = chat()

    shown = session.say("first try")
    assert "llm-resolver: call failed: LLMAuthenticationError:" in shown
    assert "Traceback" not in shown
    assert "the last failure's attempts" in session.say("/attempts")
    assert "unknown command /frobnicate; /help lists them" in session.say("/frobnicate")

    assert "echo: second try" in session.say("second try")
    body = provider_emulator.requests[-1].body
    assert body is not None
    assert [m["content"] for m in body["messages"]] == ["second try"]  # the failed turn was not kept
    assert session.exit_code() == 0


def test_save_then_load_in_a_new_session(
    provider_emulator: ProviderEmulator, chat: Callable[..., Chat], tmp_path: Path
) -> None:
    saved = tmp_path / "conversation.json"
    first = chat("--system", "you are terse")
    first.say("alpha")
    first.say("beta")
    assert f"saved 5 messages to {saved}" in first.say(f"/save {saved}")
    assert first.exit_code() == 0

    assert json.loads(saved.read_text()) == [
        {"role": "system", "content": "you are terse"},
        {"role": "user", "content": "alpha"},
        {"role": "assistant", "content": "echo: alpha"},
        {"role": "user", "content": "beta"},
        {"role": "assistant", "content": "echo: beta"},
    ]

    second = chat()
    assert "cannot read" in second.say(f"/load {tmp_path / 'missing.json'}")
    assert f"loaded 5 messages from {saved}" in second.say(f"/load {saved}")
    second.say("gamma")
    assert messages(provider_emulator.requests[-1].body) == [
        ("system", "you are terse"),
        ("user", "alpha"),
        ("assistant", "echo: alpha"),
        ("user", "beta"),
        ("assistant", "echo: beta"),
        ("user", "gamma"),
    ]
    assert second.exit_code() == 0


def test_image_goes_with_the_next_message_only_and_system_can_change(
    provider_emulator: ProviderEmulator, chat: Callable[..., Chat], tmp_path: Path
) -> None:
    image = tmp_path / "dot.png"
    image.write_bytes(PNG_1X1)
    session = chat()

    assert "is not a file" in session.say(f"/image {tmp_path / 'nope.png'}")
    assert "(image/png) to your next message" in session.say(f"/image {image}")
    session.say("what is this?")
    session.say("and this?")

    with_image, without = (r.body for r in provider_emulator.requests[-2:])
    assert with_image is not None
    assert without is not None
    parts = with_image["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": "what is this?"}
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert without["messages"][-1]["content"] == "and this?"

    assert "system message set" in session.say("/system answer in French")
    session.say("bonjour")
    assert messages(provider_emulator.requests[-1].body)[0] == ("system", "answer in French")
    assert "system message removed" in session.say("/system")
    session.say("hello")
    roles = [role for role, _ in messages(provider_emulator.requests[-1].body)]
    assert roles == ["user", "assistant"] * 3 + ["user"]
    assert session.exit_code() == 0


def test_piped_input_that_cannot_be_sent_is_one_line_and_the_session_goes_on(
    provider_emulator: ProviderEmulator,
) -> None:
    """Without a terminal (no line editor to drop them) bad bytes and NUL characters reach the chat."""
    done = subprocess.run(
        [
            str(CONSOLE_SCRIPT),
            "chat",
            "--model",
            "openai/gpt-4o-mini",
            "--api-base",
            provider_emulator.openai_base,
        ],
        input=b"caf\xe9 in latin-1\nnul \x00 here\nfine\n",
        capture_output=True,
        env=clean_env({"OPENAI_API_KEY": "k", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}),
        timeout=TIMEOUT,
        check=False,
    )

    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr
    assert "cannot send that: holds a lone surrogate (U+DCE9) at index 3" in out
    assert "cannot send that: holds a NUL character" in out
    assert "echo: fine" in out
    assert "Traceback" not in done.stderr.decode()
    assert provider_emulator.request_count() == 1
