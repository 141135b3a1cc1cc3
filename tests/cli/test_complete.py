"""``llm-resolver complete`` in-process through ``main()``, against the provider emulator over HTTP."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import (
    CallContext,
    ChatRequest,
    DependencyResolver,
    PluginManager,
    Scope,
    builtin_plugin,
    hookimpl,
)
from llm_resolver.cli import main
from llm_resolver.testing import Fault, ProviderEmulator, Reply

SECRET = "sk-cli-test-0123456789abcdefSECRET"


def base_args(emu: ProviderEmulator, model: str = "openai/gpt-4o-mini") -> list[str]:
    return ["--model", model, "--api-base", emu.openai_base]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


def last_messages(emu: ProviderEmulator) -> list[dict[str, Any]]:
    body = emu.requests[-1].body
    assert body is not None
    messages: list[dict[str, Any]] = body["messages"]
    return messages


def test_streams_the_answer_and_summarises_on_stderr(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_emulator.script(Reply(text="Hello from the emulator", chunks=4, usage=(12, 5)))

    code = main(["complete", "hello", *base_args(provider_emulator)])

    out, err = capsys.readouterr()
    assert code == 0
    assert out == "Hello from the emulator\n"
    assert err == "model openai/gpt-4o-mini, 17 tokens (12 in, 5 out), $0.0000048, 1 attempt\n"
    request = provider_emulator.requests[-1]
    assert request.stream is True
    assert request.model == "gpt-4o-mini"
    assert last_messages(provider_emulator) == [{"role": "user", "content": "hello"}]


def test_no_stream_waits_for_the_whole_answer(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_emulator.script(Reply(text="all at once", usage=(3, 3)))

    code = main(["complete", "hi", "--no-stream", *base_args(provider_emulator)])

    out, err = capsys.readouterr()
    assert (code, out) == (0, "all at once\n")
    assert "6 tokens (3 in, 3 out)" in err
    assert provider_emulator.requests[-1].stream is False


def test_unpriced_model_says_cost_unknown(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["complete", "hi", *base_args(provider_emulator, "openai/house-model-7")])

    out, err = capsys.readouterr()
    assert (code, out) == (0, "echo: hi\n")
    assert "cost unknown" in err
    assert "$" not in err


def test_system_message_goes_first(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["complete", "hi", "--system", "Be terse.", *base_args(provider_emulator)])

    assert code == 0
    assert last_messages(provider_emulator) == [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "hi"},
    ]


def test_json_prints_the_response_without_secrets(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_emulator.script(Reply(text="as json", usage=(4, 2)))

    code = main(["complete", "hi", "--json", *base_args(provider_emulator)])

    out, err = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    assert data["message"]["content"] == "as json"
    assert data["model"] == "openai/gpt-4o-mini"
    assert data["usage"]["total_tokens"] == 6
    assert data["attempts"][0]["outcome"] == "ok"
    assert "raw" not in data
    # The key was really used on the wire, and appears nowhere in what we printed.
    assert SECRET in provider_emulator.requests[-1].headers["authorization"]
    assert SECRET not in out + err


@pytest.mark.parametrize("prompt_arg", [[], ["-"]])
def test_reads_the_prompt_from_stdin(
    provider_emulator: ProviderEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    prompt_arg: list[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("piped prompt\n"))

    code = main(["complete", *prompt_arg, *base_args(provider_emulator)])

    assert (code, capsys.readouterr().out) == (0, "echo: piped prompt\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stdin", "message"),
    [(_Terminal(""), "no prompt"), (io.StringIO("  \n"), "the prompt read from stdin is empty")],
)
def test_missing_prompt_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: io.StringIO, message: str
) -> None:
    monkeypatch.setattr("sys.stdin", stdin)

    code = main(["complete", "--model", "openai/gpt-4o-mini"])

    assert code == 2
    assert message in capsys.readouterr().err


def test_spec_file_with_a_dependencies_map(
    provider_emulator: ProviderEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    spec = tmp_path / "deps.yaml"
    spec.write_text(
        "dependencies:\n"
        "  writer:\n"
        "    class_name: litellm\n"
        "    properties:\n"
        "      model: openai/gpt-4o\n"
        "      api_base: ${WRITER_BASE}\n"
        "      temperature: 0.3\n"
    )
    monkeypatch.setenv("WRITER_BASE", provider_emulator.openai_base)

    code = main(["complete", "hi", "--spec", str(spec), "--name", "writer"])

    out, err = capsys.readouterr()
    assert (code, out) == (0, "echo: hi\n")
    assert err.startswith("model openai/gpt-4o,")
    request = provider_emulator.requests[-1]
    assert request.model == "gpt-4o"
    assert request.body is not None
    assert request.body["temperature"] == 0.3


def test_single_spec_json_with_command_line_overrides(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "llm.json"
    spec.write_text(
        json.dumps(
            {
                "class_name": "litellm",
                "properties": {
                    "model": "openai/gpt-4o",
                    "api_base": "http://127.0.0.1:9/v1",
                    "max_retries": 0,
                },
            }
        )
    )

    code = main(["complete", "hi", "--spec", str(spec), *base_args(provider_emulator)])

    assert code == 0
    assert provider_emulator.requests[-1].model == "gpt-4o-mini"


def test_summary_lists_the_attempts_of_a_fallback(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "llm.yaml"
    spec.write_text(
        "class_name: litellm\n"
        "properties:\n"
        "  model: openai/gpt-4o-mini\n"
        f"  api_base: {provider_emulator.openai_base}\n"
        "  max_retries: 0\n"
        "  fallback_models: [openai/gpt-4o]\n"
    )
    provider_emulator.script(Fault.unavailable(), model="gpt-4o-mini")

    code = main(["complete", "hi", "--spec", str(spec)])

    out, err = capsys.readouterr()
    assert (code, out) == (0, "echo: hi\n")
    assert err.startswith("model openai/gpt-4o,")
    assert "2 attempts: openai/gpt-4o-mini failed (LLMServiceError 503) -> openai/gpt-4o ok" in err


def test_scope_reaches_the_llm(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[CallContext] = []

    class Recorder:
        @hookimpl
        def before_request(self, request: ChatRequest, context: CallContext) -> None:
            seen.append(context)

    plugins = PluginManager(env={})
    plugins.register(builtin_plugin, "litellm")
    plugins.register(Recorder(), "recorder")

    code = main(
        ["complete", "hi", "--scope", "acme/research/scout", *base_args(provider_emulator)], plugins=plugins
    )

    assert code == 0
    assert [str(c.scope) for c in seen] == ["acme/research/scout"]


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        (
            "class_name: nosuch\nproperties: {model: openai/gpt-4o-mini}\n",
            ".yaml",
            "unknown resolver 'nosuch'",
        ),
        (
            "class_name: litellm\nproperties: {model: openai/x, temprature: 1}\n",
            ".yaml",
            "temprature: unknown setting",
        ),
        ("class_name: litellm\nproperties: {model: openai/x, temperature: 9}\n", ".yaml", "temperature"),
        ("writer:\n  class_name: litellm\n", ".yaml", "no dependency named 'llm'; declared: writer"),
        ("class_name: [unclosed\n", ".yaml", "not valid YAML"),
        ('{"class_name": ', ".json", "not valid JSON"),
        ("- just\n- a list\n", ".yaml", "expected a mapping"),
        ("class_name: litellm\nproperties: {model: '${NOT_SET_ANYWHERE}'}\n", ".yaml", "NOT_SET_ANYWHERE"),
    ],
)
def test_bad_spec_exits_2_with_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, suffix: str, expected: str
) -> None:
    spec = tmp_path / f"spec{suffix}"
    spec.write_text(content)

    code = main(["complete", "hi", "--spec", str(spec)])

    assert code == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("llm-resolver: configuration error: SpecError: ")
    assert expected in line


def test_missing_spec_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["complete", "hi", "--spec", str(tmp_path / "absent.yaml")])

    assert code == 2
    assert "cannot read it" in one_error_line(capsys.readouterr().err)


def test_no_model_anywhere_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["complete", "hi"])

    assert code == 2
    assert "model: required" in one_error_line(capsys.readouterr().err)


def test_bad_scope_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["complete", "hi", "--scope", "a/b/c/d"])

    assert code == 2
    assert "more than three parts" in capsys.readouterr().err


def test_provider_refusal_exits_1_with_one_line(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_emulator.script(Fault.bad_request("The model `gpt-nope` does not exist"))

    code = main(["complete", "hi", *base_args(provider_emulator, "openai/gpt-nope")])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""  # LiteLLM's help banner must not land in the answer
    line = one_error_line(err)
    assert line.startswith("llm-resolver: call failed: LLMBadRequestError: ")
    assert "gpt-nope" in line
    assert SECRET not in err


def test_retried_failure_reports_its_attempts(
    provider_emulator: ProviderEmulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "llm.yaml"
    spec.write_text(
        "class_name: litellm\nproperties: {retry: {initial_wait: 0, jitter: 0}, max_retries: 1}\n"
    )
    provider_emulator.script(Fault.server_error(), Fault.server_error())

    code = main(["complete", "hi", "--spec", str(spec), *base_args(provider_emulator)])

    assert code == 1
    line = one_error_line(capsys.readouterr().err)
    assert "LLMServiceError" in line
    assert "(2 attempts: openai/gpt-4o-mini failed (LLMServiceError 500) -> openai/gpt-4o-mini failed" in line


def test_key_in_a_spec_file_is_used_and_never_shown(
    provider_emulator: ProviderEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    file_key = "sk-from-the-spec-file-9876543210abcdef"
    spec = tmp_path / "llm.yaml"
    spec.write_text(f"class_name: litellm\nproperties:\n  model: openai/gpt-4o\n  api_key: {file_key}\n")

    code = main(["complete", "hi", "--json", "--spec", str(spec), *base_args(provider_emulator)])

    out, err = capsys.readouterr()
    assert code == 0
    assert provider_emulator.requests[-1].headers["authorization"] == f"Bearer {file_key}"
    assert file_key not in out + err


class ConstantResolver(DependencyResolver[str]):
    def resolve(self, scope: Scope) -> str:
        return "not a model"


class Constants:
    @hookimpl
    def register_resolvers(self, register: Callable[[str, type], None]) -> None:
        register("constant", ConstantResolver)


def test_a_dependency_that_is_not_an_llm_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plugins = PluginManager(env={})
    plugins.register(Constants(), "constants")
    spec = tmp_path / "deps.yaml"
    spec.write_text("llm:\n  class_name: constant\n")

    code = main(["complete", "hi", "--spec", str(spec)], plugins=plugins)

    assert code == 2
    assert "constant resolved to a str, which is not an LLM" in one_error_line(capsys.readouterr().err)
