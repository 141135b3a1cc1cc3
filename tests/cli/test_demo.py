"""``llm-resolver demo``: the host-framework demo, on its own emulator or on a configured provider."""

from __future__ import annotations

import re

import pytest

from llm_resolver.cli import main
from llm_resolver.demo.provider import real_provider_configured
from llm_resolver.testing import ProviderEmulator


def test_demo_on_its_emulator_shows_three_handlers_and_the_fallback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["demo"])

    out = capsys.readouterr().out
    assert code == 0
    assert "provider: embedded emulator at http://127.0.0.1:" in out
    for heading in (
        "[acme/research/scout] summarise (sync handler, Dependencies.call in a worker thread)",
        "[acme/research/planner] plan (async handler, Dependencies.acall)",
        "[acme/research/narrator] narrate (streaming handler, Dependencies.acall)",
    ):
        assert heading in out
    assert (
        "model openai/gpt-4o, 53 tokens (35 in, 18 out), $0.000268, 3 attempts: "
        "openai/gpt-4o-mini failed (LLMServiceError 503) -> openai/gpt-4o-mini failed (LLMServiceError 503) "
        "-> openai/gpt-4o ok"
    ) in out
    assert out.count("model openai/gpt-4o-mini,") == 2
    final = out.rstrip().splitlines()[-1]
    assert re.fullmatch(r"demo ok: 3 handlers, \d+ tokens, \$0\.\d+", final), final
    assert "Give Feedback" not in out


def test_demo_uses_a_configured_provider_instead_of_its_emulator(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A "real" provider as far as the demo can tell: LLM_MODEL, its key and an endpoint it did not start.
    monkeypatch.setenv("LLM_MODEL", "openai/gpt-4o-mini")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-looking-key-0000000000")
    monkeypatch.setenv("LLM_API_BASE", provider_emulator.openai_base)

    code = main(["demo"])

    out = capsys.readouterr().out
    assert code == 0
    assert "provider: openai/gpt-4o-mini (real provider, from the environment)" in out
    assert "embedded emulator" not in out
    assert provider_emulator.request_count(model="gpt-4o-mini") == 3
    assert out.rstrip().splitlines()[-1].startswith("demo ok: 3 handlers, ")


def test_demo_emulator_flag_overrides_a_configured_provider(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_MODEL", "openai/gpt-4o-mini")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-looking-key-0000000000")
    monkeypatch.setenv("LLM_API_BASE", "http://127.0.0.1:9/v1")  # nothing listens: must not be used

    assert main(["demo", "--emulator"]) == 0
    assert "demo ok" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("env", "real"),
    [
        ({}, False),
        ({"LLM_MODEL": "openai/gpt-4o-mini"}, False),
        ({"OPENAI_API_KEY": "sk-x"}, False),
        ({"LLM_MODEL": "anthropic/claude-haiku-4-5", "OPENAI_API_KEY": "sk-x"}, False),
        ({"LLM_MODEL": "openai/gpt-4o-mini", "OPENAI_API_KEY": "sk-x"}, True),
        ({"LLM_MODEL": "anthropic/claude-haiku-4-5", "ANTHROPIC_API_KEY": "sk-ant-x"}, True),
    ],
)
def test_real_provider_needs_a_model_and_its_key(env: dict[str, str], real: bool) -> None:
    assert real_provider_configured(env) is real
