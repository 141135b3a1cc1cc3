"""``llm-resolver serve``: the real console script serving a spec file."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from llm_resolver.cli import main
from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import models


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_from_the_spec_file(provider_emulator: ProviderEmulator, tmp_path: Path) -> None:
    spec = tmp_path / "models.yaml"
    spec.write_text(yaml.safe_dump(models(provider_emulator)))
    port = free_port()
    script = shutil.which("llm-resolver", path=str(Path(sys.executable).parent))
    assert script is not None
    env = {**os.environ, "LLM_RESOLVER_PLUGINS": "openai_server", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("LLM_RESOLVER_SERVER_KEYS", None)
    server = subprocess.Popen(
        [script, "serve", "--spec", str(spec), "--port", str(port), "--max-scopes-per-key", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == f"serving claude, support on http://127.0.0.1:{port}/v1"
        base = f"http://127.0.0.1:{port}"  # the line comes once the server listens: no polling
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        provider_emulator.script(Fault.server_error(503), Reply(text="served"))
        body = {"model": "support", "messages": [{"role": "user", "content": "hi"}]}
        failed = httpx.post(f"{base}/v1/chat/completions", json=body, timeout=10)
        reply = httpx.post(f"{base}/v1/chat/completions", json=body, timeout=10).json()
        assert failed.status_code == 503
        assert reply["choices"][0]["message"]["content"] == "served"
        another = httpx.post(
            f"{base}/v1/chat/completions", json=body, headers={"X-LLM-Scope": "acme"}, timeout=10
        )
        assert another.status_code == 429  # the default scope was this caller's one scope
        assert another.json()["error"]["code"] == "too_many_scopes"
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "Traceback" not in err
    assert "Give Feedback" not in out + err  # LiteLLM's banner for the 503 was dropped


def console_script() -> str:
    script = shutil.which("llm-resolver", path=str(Path(sys.executable).parent))
    assert script is not None
    return script


def test_ctrl_c_stops_the_server_as_interrupted(tmp_path: Path) -> None:
    spec = tmp_path / "models.yaml"
    spec.write_text("support: {class_name: litellm, properties: {model: openai/gpt-4o-mini}}\n")
    env = {**os.environ, "LLM_RESOLVER_PLUGINS": "openai_server", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("LLM_RESOLVER_SERVER_KEYS", None)
    server = subprocess.Popen(
        [console_script(), "serve", "--spec", str(spec), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("serving support on http://127.0.0.1:")
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    finally:
        server.kill()
    assert server.returncode == 130
    assert (out, err) == ("", "llm-resolver: interrupted\n")


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    spec = tmp_path / "models.yaml"
    spec.write_text("support: {class_name: litellm, properties: {model: openai/gpt-4o-mini}}\n")
    return spec


@pytest.mark.parametrize("port", ["-1", "65536", "70000"])
def test_serve_refuses_a_port_out_of_range(
    spec_file: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    code = main(["serve", "--spec", str(spec_file), "--port", port])

    assert code == 2
    assert capsys.readouterr().err == (
        f"llm-resolver: configuration error: SpecError: port {port} is out of range; "
        "give one from 0 to 65535 (0 picks a free port)\n"
    )


def test_serve_says_a_port_is_in_use(spec_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--spec", str(spec_file), "--port", str(port)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"llm-resolver: configuration error: SpecError: port {port} on 127.0.0.1 is in use; "
        "choose another port, or stop the process holding it\n"
    )


def test_serve_says_a_host_does_not_resolve(
    spec_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_RESOLVER_SERVER_KEYS", "a-key")  # any host but loopback needs keys

    code = main(["serve", "--spec", str(spec_file), "--host", "no-such-host.invalid", "--port", "0"])

    assert code == 2
    assert capsys.readouterr().err == (
        "llm-resolver: configuration error: SpecError: cannot resolve host 'no-such-host.invalid'; "
        "give an IP address or a name this machine resolves\n"
    )


def test_serve_refuses_an_open_address_without_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLM_RESOLVER_SERVER_KEYS", raising=False)
    spec = tmp_path / "models.yaml"
    spec.write_text("support: {class_name: litellm, properties: {model: openai/gpt-4o-mini}}\n")

    code = main(["serve", "--spec", str(spec), "--host", "0.0.0.0"])

    assert code == 2
    assert (
        "refusing to serve on 0.0.0.0 without API keys; set LLM_RESOLVER_SERVER_KEYS"
        in capsys.readouterr().err
    )


def test_serve_refuses_a_scope_limit_below_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLM_RESOLVER_SERVER_KEYS", raising=False)
    spec = tmp_path / "models.yaml"
    spec.write_text("support: {class_name: litellm, properties: {model: openai/gpt-4o-mini}}\n")

    code = main(["serve", "--spec", str(spec), "--max-scopes-per-key", "0"])

    assert code == 2
    assert "max_scopes_per_key must be a positive int, got 0" in capsys.readouterr().err


def test_sigterm_with_open_streams_stops_the_server_at_once(
    provider_emulator: ProviderEmulator, tmp_path: Path
) -> None:
    """Each open stream ends with a shutting-down error event, the upstream streams close, and the
    process exits 0 well before any stream would have finished (50 chunks, 0.2 s apart)."""
    spec = tmp_path / "models.yaml"
    spec.write_text(yaml.safe_dump(models(provider_emulator)))
    env = {**os.environ, "LLM_RESOLVER_PLUGINS": "openai_server", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("LLM_RESOLVER_SERVER_KEYS", None)
    server = subprocess.Popen(
        [console_script(), "serve", "--spec", str(spec), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip().rsplit(" ", 1)[-1]
        long = Reply(text=" ".join(f"w{i}" for i in range(50)), chunks=50, chunk_delay=0.2)
        provider_emulator.script(long, long)
        body = {"model": "support", "messages": [{"role": "user", "content": "long"}], "stream": True}
        with (
            httpx.stream("POST", f"{base}/chat/completions", json=body, timeout=60) as chat,
            httpx.stream(
                "POST",
                f"{base}/responses",
                json={"model": "support", "input": "x", "stream": True},
                timeout=60,
            ) as responses,
        ):
            chat_lines, response_lines = chat.iter_lines(), responses.iter_lines()
            assert next(chat_lines).startswith("data: ")
            assert next(response_lines) == "event: response.created"
            started = time.monotonic()
            server.send_signal(signal.SIGTERM)
            rest = list(chat_lines)
            response_rest = list(response_lines)
            code = server.wait(timeout=30)
            took = time.monotonic() - started
    finally:
        server.kill()
        _, err = server.communicate(timeout=30)
    assert code == 0
    assert took < 2, f"SIGTERM to exit took {took:.1f} s"
    assert "server_shutting_down" in [line for line in rest if line][-1]
    assert "data: [DONE]" not in rest
    assert "event: response.failed" in response_rest
    assert "Traceback" not in err
    deadline = time.monotonic() + 5
    while provider_emulator.open_streams and time.monotonic() < deadline:
        time.sleep(0.05)
    assert provider_emulator.open_streams == 0
