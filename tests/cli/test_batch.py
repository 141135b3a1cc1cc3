"""``llm-resolver batch`` as a user runs it: the installed script in a child process, against the provider
emulator over HTTP; what was re-sent after an interruption is counted at the emulator."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import CONSOLE_SCRIPT, RunCli, clean_env

MODEL = "openai/gpt-4o-mini"
ENV = {"OPENAI_API_KEY": "x"}


def write_prompts(path: Path, ids: range) -> None:
    path.write_text("".join(json.dumps({"id": i, "prompt": f"prompt {i}"}) + "\n" for i in ids))


def results(path: Path) -> list[dict[str, Any]]:
    """Every line of OUT, each of which must be a whole JSON object."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def batch_args(emu: ProviderEmulator, inp: Path, out: Path, *extra: str) -> list[str]:
    return ["batch", str(inp), str(out), "--model", MODEL, "--api-base", emu.openai_base, *extra]


def chat_requests(emu: ProviderEmulator) -> int:
    return emu.request_count(path_contains="/chat/completions")


def test_every_prompt_is_answered_once_whatever_order_calls_finish_in(
    provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path
) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_prompts(inp, range(30))
    # Early requests are slowest, so calls finish out of input order.
    provider_emulator.script(*(Reply(usage=(10, 5), delay=0.02 * (30 - i)) for i in range(30)))

    done = run_cli(*batch_args(provider_emulator, inp, out, "--concurrency", "10"), env=ENV)

    assert done.returncode == 0, done.stderr
    lines = results(out)
    assert sorted(line["id"] for line in lines) == list(range(30))
    for line in lines:
        assert line["text"] == f"echo: prompt {line['id']}"
        assert line["model"] == MODEL
        assert line["usage"]["total_tokens"] == 15
        assert line["cost_usd"] == pytest.approx(4.5e-06)
        assert [a["outcome"] for a in line["attempts"]] == ["ok"]
    assert [line["id"] for line in lines] != list(range(30))
    assert chat_requests(provider_emulator) == 30
    assert "batch: 30/30 done, 0 failed" in done.stderr  # the plain progress line off a terminal
    assert MODEL in done.stderr.split("answered", 1)[1]  # the summary table
    assert done.stdout == ""


def test_chat_requests_with_options_and_a_failed_call(
    provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path
) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [
        {
            "id": "a",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
        },
        {"id": "b", "prompt": "refused", "temperature": 0.2, "max_tokens": 7},
    ]
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    provider_emulator.script(Fault.auth(), model="gpt-4o-mini")

    done = run_cli(*batch_args(provider_emulator, inp, out, "--concurrency", "1"), env=ENV)

    assert done.returncode == 1
    by_id = {line["id"]: line for line in results(out)}
    assert by_id["a"]["error"]["type"] == "LLMAuthenticationError"
    assert by_id["a"]["attempts"][0]["outcome"] == "error"
    assert by_id["b"]["text"] == "echo: refused"
    bodies = [r.body for r in provider_emulator.requests]
    assert bodies[0] is not None
    assert bodies[0]["messages"][0] == {"role": "system", "content": "Be brief."}
    assert bodies[1] is not None
    assert (bodies[1]["temperature"], bodies[1]["max_tokens"]) == (0.2, 7)
    failures = done.stderr.split("failures", 1)[1]
    assert "LLMAuthenticationError" in failures
    assert "batch: 1 calls failed, 0 input lines skipped" in done.stderr


def test_malformed_lines_are_reported_with_their_numbers_and_the_rest_runs(
    provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path
) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(
        '{"id": 1, "prompt": "one"}\n'
        "{not json\n"
        '{"prompt": "no id"}\n'
        '{"id": 1, "prompt": "again"}\n'
        '{"id": 2, "prompt": "two", "temprature": 0.5}\n'
        "\n"
        '{"id": 3, "prompt": "three", "messages": []}\n'
        '{"id": 4, "messages": [{"role": "wizard", "content": "x"}]}\n'
        '["id", 5]\n'
        '{"id": 6, "prompt": "six"}\n'
    )

    done = run_cli(*batch_args(provider_emulator, inp, out), env=ENV)

    assert done.returncode == 1
    skipped = [line for line in done.stderr.splitlines() if ": skipped: " in line]
    assert [line.split(": skipped: ")[0] for line in skipped] == [f"{inp}:{n}" for n in (2, 3, 4, 5, 7, 8, 9)]
    reasons = "\n".join(skipped)
    assert "not valid JSON" in reasons
    assert 'needs an "id"' in reasons
    assert "duplicate id 1 (first on line 1)" in reasons
    assert "unknown key(s) temprature" in reasons
    assert 'exactly one of "prompt"' in reasons
    assert "invalid request: messages[0].role" in reasons
    assert "expected a JSON object, got list" in reasons
    assert sorted(line["id"] for line in results(out)) == [1, 6]
    assert chat_requests(provider_emulator) == 2
    assert "7 input lines skipped" in done.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_resuming_after_a_kill_sends_only_the_missing_ids(
    provider_emulator: ProviderEmulator, tmp_path: Path, sig: signal.Signals
) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_prompts(inp, range(40))
    provider_emulator.default_reply = Reply(usage=(10, 5), delay=0.3)
    args = batch_args(provider_emulator, inp, out, "--concurrency", "4")

    first = subprocess.Popen(
        [str(CONSOLE_SCRIPT), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=clean_env(ENV),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while (not out.exists() or len(out.read_text().splitlines()) < 6) and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(sig)
        _, err = first.communicate(timeout=30)
    finally:
        first.kill()
    answered = results(out)
    assert 6 <= len(answered) < 40
    sent_before = chat_requests(provider_emulator)
    if sig == signal.SIGINT:
        assert first.returncode == 130, err
        assert "Traceback" not in err
        assert f"{len(answered)} results saved in {out}" in err
        assert "To resume, run the same command:\n  llm-resolver batch " in err
        assert sent_before > len(answered)  # calls were in flight, and nothing of them was written
    else:
        assert first.returncode == -signal.SIGKILL
        missing = sorted(set(range(40)) - {line["id"] for line in answered})[0]
        with out.open("a") as file:  # what a kill in the middle of a write leaves behind
            file.write(json.dumps({"id": missing, "text": "echo: prompt"})[:20])

    second = subprocess.run(
        [str(CONSOLE_SCRIPT), *args], capture_output=True, text=True, env=clean_env(ENV), timeout=120,
        check=False,
    )  # fmt: skip

    assert second.returncode == 0, second.stderr
    assert f"{len(answered)} of 40 ids already in {out}, skipped" in second.stderr
    if sig == signal.SIGKILL:
        assert "cut off a torn last line (20 bytes)" in second.stderr
    final = results(out)
    assert sorted(line["id"] for line in final) == list(range(40))
    assert chat_requests(provider_emulator) - sent_before == 40 - len(answered)


def test_a_budget_stops_the_batch_cleanly(
    provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path
) -> None:
    inp, spec = tmp_path / "in.jsonl", tmp_path / "llm.json"
    write_prompts(inp, range(40))
    provider_emulator.default_reply = Reply(usage=(10, 5))
    properties = {
        "model": MODEL,
        "api_base": provider_emulator.openai_base,
        "budget_usd": 0.0001,
        "max_tokens": 10,
    }
    spec.write_text(json.dumps({"class_name": "litellm", "properties": properties}))
    answered: dict[int, int] = {}
    for concurrency in (1, 5):
        out = tmp_path / f"out{concurrency}.jsonl"
        sent_before = chat_requests(provider_emulator)

        done = run_cli(
            "batch", str(inp), str(out), "--spec", str(spec), "--concurrency", str(concurrency), env=ENV
        )

        assert done.returncode == 1
        lines = results(out)
        answered[concurrency] = len(lines)
        assert 1 <= len(lines) < 40
        assert all("text" in line for line in lines)  # the refused call is not written: it can resume
        assert chat_requests(provider_emulator) - sent_before == len(lines)
        assert f"batch: stopped by the budget, {40 - len(lines)} ids not run: " in done.stderr
        assert "over its budget" in done.stderr
        assert "held by calls in flight" not in done.stderr  # it stopped when spent, not when reserved
        assert f"llm-resolver batch {inp} {out} --concurrency {concurrency} --spec {spec}" in done.stderr
        assert "Traceback" not in done.stderr
    # Calls in flight hold reservations of the budget; a refusal that only meant "wait for them" does
    # not stop the batch, so it spends as far as the sequential run does.
    assert answered[5] == answered[1]


def test_a_configuration_error_stops_before_any_request(
    provider_emulator: ProviderEmulator, run_cli: RunCli, tmp_path: Path
) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_prompts(inp, range(3))

    done = run_cli(*batch_args(provider_emulator, inp, out), env={})  # no OPENAI_API_KEY

    assert done.returncode == 2
    assert "OPENAI_API_KEY" in done.stderr
    assert not out.exists()
    assert chat_requests(provider_emulator) == 0


def test_a_terminal_gets_a_live_progress_bar(provider_emulator: ProviderEmulator, tmp_path: Path) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_prompts(inp, range(20))
    provider_emulator.default_reply = Reply(usage=(10, 5), delay=0.05)

    child = pexpect.spawn(
        str(CONSOLE_SCRIPT), batch_args(provider_emulator, inp, out, "--concurrency", "4"),
        env=clean_env(ENV), encoding="utf-8", timeout=120, dimensions=(24, 120),
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before or ""

    assert child.exitstatus == 0, screen
    assert "20/20" in screen
    assert "0 failed" in screen
    assert "ETA" in screen
    assert "$0.00009" in screen  # the spend: 20 calls of 15 tokens at gpt-4o-mini's prices
    assert "\x1b[" in screen  # drawn with terminal control sequences
    assert "batch: 20/20 done" not in screen  # the plain lines are for logs, not terminals
    assert len(results(out)) == 20
