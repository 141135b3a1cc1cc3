"""The installed ``llm-resolver`` script in a child process: what a user's shell sees."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import CONSOLE_SCRIPT, RunCli, clean_env


def test_complete_answers_a_piped_prompt_and_summarises_on_stderr(
    provider_emulator: ProviderEmulator, run_cli: RunCli
) -> None:
    provider_emulator.script(Reply(text="Hello, shell.", usage=(12, 5)))
    env = {
        "LLM_MODEL": "openai/gpt-4o-mini",
        "LLM_API_BASE": provider_emulator.openai_base,
        "OPENAI_API_KEY": "x",
    }

    done = run_cli("complete", env=env, stdin="hello from a pipe\n")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello, shell.\n"
    assert done.stderr == "model openai/gpt-4o-mini, 17 tokens (12 in, 5 out), $0.0000048, 1 attempt\n"
    body = provider_emulator.requests[-1].body
    assert body is not None
    assert body["messages"] == [{"role": "user", "content": "hello from a pipe"}]


def test_ctrl_c_closes_the_stream_and_exits_130(provider_emulator: ProviderEmulator) -> None:
    provider_emulator.script(Reply(text="slow " * 40, chunks=40, chunk_delay=0.25))
    child = subprocess.Popen(
        [
            str(CONSOLE_SCRIPT),
            "complete",
            "go",
            "--model",
            "openai/gpt-4o-mini",
            "--api-base",
            provider_emulator.openai_base,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env({"OPENAI_API_KEY": "x"}),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.read(5) == "slow "  # tokens arrive while the answer is still streaming
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=20)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert err.strip().splitlines()[-1] == "llm-resolver: interrupted"
    assert "Traceback" not in err
    assert len(out) < len("slow " * 40)


def write_plugin_distribution(root: Path) -> None:
    """An installed-looking distribution with two entry points: one adds a command, one cannot import."""
    dist = root / "cli_test_plugins-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cli-test-plugins\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[llm_resolver]\ngreeter = cli_test_greeter\nbroken = cli_test_broken\n"
    )
    (root / "cli_test_greeter.py").write_text(
        "from llm_resolver import hookimpl\n\n"
        "@hookimpl\n"
        "def register_commands(cli):\n"
        "    parser = cli.add_parser('greet', help='say hello')\n"
        "    parser.set_defaults(func=lambda args: print('hello from a plugin') or 0)\n"
    )
    (root / "cli_test_broken.py").write_text("raise ImportError('needs a package that is not installed')\n")


def test_entry_point_plugins_add_commands_and_failures_are_reported(tmp_path: Path, run_cli: RunCli) -> None:
    write_plugin_distribution(tmp_path)
    env = {"PYTHONPATH": str(tmp_path)}

    report = run_cli("plugins", env=env)
    greet = run_cli("greet", env=env)
    strict = run_cli("plugins", "--strict", env=env)

    assert report.returncode == 0, report.stderr
    rows = {line.split()[0]: line for line in report.stdout.splitlines()[1:]}
    assert rows["greeter"].split()[:2] == ["greeter", "ok"]
    assert "commands: greet" in rows["greeter"]
    assert rows["broken"].split()[:2] == ["broken", "error"]
    assert "import failed: ImportError: needs a package that is not installed" in rows["broken"]
    assert rows["litellm"].split()[:2] == ["litellm", "ok"]
    assert (greet.returncode, greet.stdout) == (0, "hello from a plugin\n")
    assert strict.returncode == 1


def test_version(run_cli: RunCli) -> None:
    from llm_resolver import __version__

    done = run_cli("--version")

    assert (done.returncode, done.stdout.strip()) == (0, f"llm-resolver {__version__}")
    assert Path(sys.executable).parent == CONSOLE_SCRIPT.parent
