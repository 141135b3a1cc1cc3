"""Counting never reaches the Hugging Face Hub: models whose tokenizer LiteLLM would download from it
(llama-2/llama-3, replicate, cohere command-r names) are counted with LiteLLM's default tiktoken
encoding. The check runs in a fresh process whose Hub is a local listener that records connections and
never answers, with an empty Hub cache: the old behaviour hung there on the first count."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llm_resolver.backend import catalog
from llm_resolver.backend.loader import litellm

HUB_MODELS = [
    "groq/llama-3.1-8b-instant",
    "together_ai/meta-llama/Llama-3-70b-chat-hf",
    "replicate/meta/llama-2-70b-chat",
    "cohere/command-r",
]

CHILD = """
import json, sys, time
from llm_resolver import ChatRequest, Message
from llm_resolver.tokens import prompt_tokens, text_tokens
tool = {"type": "function", "function": {"name": "f", "description": "does f", "parameters": {}}}
request = ChatRequest(messages=[Message.system("be brief"), Message.user("hello there")], tools=[tool])
for model in sys.argv[1:]:
    started = time.monotonic()
    counts = {"prompt": prompt_tokens(model, request), "text": text_tokens(model, "hello there")}
    print(json.dumps({"model": model, "counts": counts, "took": time.monotonic() - started}), flush=True)
"""


class Hub:
    """A TCP listener standing in for the Hub: it records each connection and never answers."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:  # closed
                return
            self.connections.append(conn)  # held open, never answered

    def close(self) -> None:
        self.socket.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    listener = Hub()
    yield listener
    listener.close()


def test_models_with_a_hub_tokenizer_are_counted_without_contacting_the_hub(hub: Hub, tmp_path: Path) -> None:
    hf_home = tmp_path / "hf"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_", "LLM_"))}
    env |= {
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(hf_home),
        "HF_HUB_CACHE": str(hf_home / "hub"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LLM_RESOLVER_PLUGINS": "",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *HUB_MODELS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # Stop at the first connection to the Hub (the old code then waits on it indefinitely).
    until = time.monotonic() + 60
    while child.poll() is None and not hub.connections and time.monotonic() < until:
        time.sleep(0.05)
    if child.poll() is None:
        child.kill()
    out, err = child.communicate()

    assert not hub.connections, (
        f"counting contacted the Hugging Face Hub ({len(hub.connections)} connections)"
    )
    assert child.returncode == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["model"] for r in results] == HUB_MODELS
    for result in results:
        assert result["counts"]["prompt"] > result["counts"]["text"] > 0, result
        assert result["took"] < 5, result  # tiktoken is loaded once, from the files LiteLLM bundles
    assert not hf_home.exists() or not any(hf_home.rglob("*.json")), "no tokenizer was downloaded"


@pytest.mark.parametrize("model", HUB_MODELS)
def test_they_are_counted_with_litellms_default_tiktoken_encoding(model: str) -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 5
    # gpt-4 is counted with cl100k_base, LiteLLM's default encoding
    assert catalog.count_tokens(model, text=text) == catalog.count_tokens("openai/gpt-4", text=text)
    messages = [{"role": "user", "content": text}]
    assert catalog.count_tokens(model, messages) == catalog.count_tokens("openai/gpt-4", messages)


def test_a_tokenizer_litellm_bundles_is_still_used() -> None:
    """Anthropic's older tokenizer ships inside LiteLLM (no download), so it keeps counting with it."""
    utils = litellm().utils
    assert utils.huggingface_tokenizer_kind("claude-haiku-4-5") == "anthropic"
    assert catalog._offline_tokenizer("claude-haiku-4-5") is None
    assert catalog._offline_tokenizer("groq/llama-3.1-8b-instant") is not None
