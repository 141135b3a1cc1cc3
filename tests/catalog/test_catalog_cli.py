"""``llm-resolver models``: the table or JSON on stdout, where the listing came from on stderr."""

from __future__ import annotations

import argparse
import json

import pytest

from llm_resolver.catalog.listing import _DEFAULT_LISTER
from llm_resolver.cli import main, models_cmd
from llm_resolver.testing import ProviderEmulator


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="llm-resolver")
    models_cmd.add_parser(parser.add_subparsers())
    args = parser.parse_args(["models", *argv])
    result: int = args.func(args)
    return result


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    _DEFAULT_LISTER.clear()


def test_json_lists_the_endpoints_models(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_emulator.models = ["gpt-4o-mini", "my-model"]

    code = run("--provider", "openai", "--api-base", provider_emulator.openai_base, "--json")

    out, err = capsys.readouterr()
    assert code == 0
    [listing] = json.loads(out)
    assert listing["source"] == "endpoint"
    assert [m["model"] for m in listing["models"]] == ["openai/gpt-4o-mini", "openai/my-model"]
    assert f"openai: 2 models from {provider_emulator.openai_base}" in err


def test_the_table_shows_limits_prices_and_capabilities(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_emulator.models = ["gpt-4o-mini"]

    run("--provider", "openai", "--api-base", provider_emulator.openai_base)

    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:2] == ["MODEL", "CONTEXT"]
    assert row.split() == ["openai/gpt-4o-mini", "128000", "16384", "0.15", "0.6", "vision,tools,schema"]


def test_without_a_key_it_says_the_bundled_map_was_used(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)

    run("--provider", "anthropic")

    out, err = capsys.readouterr()
    assert "anthropic/claude-haiku-4-5" in out
    assert "from LiteLLM's bundled model map (no API key" in err


def test_api_base_without_provider_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run("--api-base", "http://127.0.0.1:1/v1")

    assert info.value.code == 2
    assert "--api-base needs --provider" in capsys.readouterr().err


def test_the_command_is_part_of_the_cli(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_emulator.models = ["gpt-4o-mini"]

    code = main(["models", "--provider", "openai", "--api-base", provider_emulator.openai_base, "--json"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)[0]["source"] == "endpoint"


def test_an_unknown_provider_exits_with_a_configuration_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["models", "--provider", "opneai"])

    assert code == 2
    assert "unknown provider 'opneai'; did you mean 'openai'?" in capsys.readouterr().err
