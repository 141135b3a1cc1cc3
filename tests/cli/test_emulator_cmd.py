"""``llm-resolver emulator``: started as a user would, its printed api_base and spec used by other
commands, and stopped with Ctrl-C (SIGINT) or by a supervisor (SIGTERM)."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from llm_resolver.cli import main
from llm_resolver.cli.emulator_cmd import check_host

from .conftest import CONSOLE_SCRIPT, RunCli, clean_env

STARTUP_S = 60


class Emulator:
    """``llm-resolver emulator`` in a child process, its start-up text read up to the commands to try."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [str(CONSOLE_SCRIPT), "emulator", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        assert self.process.stdout is not None
        self.stdout = self.process.stdout
        lines: list[str] = []
        for line in self.stdout:  # up to the blank line that ends the commands to try
            lines.append(line)
            if not line.strip() and any(seen.startswith("Try:") for seen in lines):
                break
        self.banner = "".join(lines)

    def base(self, wire: str) -> str:
        found = re.search(rf"^\s*{wire}\s+api_base (\S+)", self.banner, re.MULTILINE)
        assert found is not None, self.banner
        return found.group(1)

    def spec(self) -> str:
        """The YAML the banner offers, between its heading and the commands to try."""
        return self.banner.split("(save it as emulator.yaml):\n", 1)[1].split("\nTry:", 1)[0]

    def stop(self, signum: int) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=STARTUP_S)
        return self.process.returncode, out, err


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    started = Emulator()
    yield started
    started.process.kill()
    started.process.communicate(timeout=STARTUP_S)


def test_complete_runs_against_the_printed_api_base_and_ctrl_c_stops_it(
    emulator: Emulator, run_cli: RunCli
) -> None:
    base = emulator.base("OpenAI")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base)

    done = run_cli(
        "complete", "--model", "openai/gpt-4o-mini", "--api-base", base, "hello", env={"OPENAI_API_KEY": "k"}
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "echo: hello\n"
    assert "model openai/gpt-4o-mini" in done.stderr
    code, out, err = emulator.stop(signal.SIGINT)
    assert re.search(r"openai POST /v1/chat/completions gpt-4o-mini \(stream\)", out)
    assert (code, err.strip().splitlines()[-1]) == (130, "llm-resolver: interrupted")
    assert "Traceback" not in err
    port = int(base.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass


def test_the_printed_spec_works_for_every_wire_format(
    emulator: Emulator, run_cli: RunCli, tmp_path: Path
) -> None:
    spec = tmp_path / "emulator.yaml"
    spec.write_text(emulator.spec())
    assert set(yaml.safe_load(spec.read_text())) == {"llm", "anthropic", "gemini"}

    for name, model in [
        ("llm", "openai/gpt-4o-mini"),
        ("anthropic", "anthropic/claude-haiku-4-5"),
        ("gemini", "gemini/gemini-2.5-flash"),
    ]:
        done = run_cli("complete", "--spec", str(spec), "--name", name, f"hi {name}")
        assert (done.returncode, done.stdout) == (0, f"echo: hi {name}\n"), done.stderr
        assert f"model {model}" in done.stderr

    code, out, _ = emulator.stop(signal.SIGTERM)
    assert code == 0
    assert out.strip().splitlines()[-1] == "emulator stopped"


def test_the_printed_commands_name_its_own_address(emulator: Emulator) -> None:
    base = emulator.base("OpenAI")
    assert emulator.base("Anthropic") == base.removesuffix("/v1")
    assert emulator.base("Gemini") == base.removesuffix("/v1") + "/v1beta"
    assert f"llm-resolver complete --model openai/gpt-4o-mini --api-base {base}" in emulator.banner
    assert f"llm-resolver chat --model openai/gpt-4o-mini --api-base {base}" in emulator.banner


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "example.com", "::"])
def test_a_non_loopback_host_is_refused_without_allow_remote(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["emulator", "--host", host]) == 2

    err = capsys.readouterr().err
    assert f"--host {host} is not a loopback address" in err
    assert "--allow-remote" in err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "::1", "::ffff:127.0.0.1"])
def test_loopback_hosts_need_no_flag(host: str) -> None:
    check_host(host, allow_remote=False)


def test_allow_remote_lets_any_host_through() -> None:
    check_host("0.0.0.0", allow_remote=True)


def test_a_port_in_use_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["emulator", "--port", str(port)]) == 2

    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "pick another --port" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [("--port", "70000"), ("--port", "x"), ("--chunk-delay", "-1"), ("--chunk-delay", "nan")],
)
def test_bad_option_values_are_usage_errors(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["emulator", option, value]) == 2
    assert f"argument {option}: {value!r} is not" in capsys.readouterr().err
