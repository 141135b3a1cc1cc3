"""``llm-resolver serve``: the real console script serving a spec file."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
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
