"""Start-up time: ``llm-resolver --help``, ``llm-resolver plugins`` and resolving a spec, each in a
fresh process, with every installed plugin loading (bootstrap installs all in-repo plugins); and how long
``llm-resolver complete`` (against the provider emulator) takes to exit after its last output.

Wall time per run; the table shows the median and the spread (fastest, slowest) of ``--runs`` runs.
``--compare DIR`` also times another checkout of the repository (its ``src/`` and ``plugins/*/src``
put first on ``PYTHONPATH``, so the same installed entry points load that code), its runs interleaved
with this tree's so that load from other processes falls on both alike. Run on demand:
    .venv/bin/python benchmarks/cli_startup.py [--runs 15] [--compare /path/to/other/checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import statistics
import subprocess
import sys
import time
from pathlib import Path

from llm_resolver.testing import ProviderEmulator

HERE = Path(__file__).resolve().parents[1]
CONSOLE_SCRIPT = str(Path(sys.executable).with_name("llm-resolver"))
RESOLVE = (
    "from llm_resolver import DependencySpec\n"
    "spec = DependencySpec(class_name='litellm', properties={'model': 'openai/gpt-4o-mini', 'api_key': 'x'})\n"
    "spec.to_resolver().get_or_resolve()\n"
)
COMMANDS = {
    "import llm_resolver": [sys.executable, "-c", "import llm_resolver"],
    "llm-resolver --help": [CONSOLE_SCRIPT, "--help"],
    "llm-resolver plugins": [CONSOLE_SCRIPT, "plugins"],
    "resolve a spec": [sys.executable, "-c", RESOLVE],
}
LINGER = "complete: exit linger"  # seconds from its last output to its exit, not the whole run


def environment(tree: Path) -> dict[str, str]:
    """The process environment for timing ``tree``: its sources first, no settings of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENAI_"))}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled once, not at every start
    if tree != HERE:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(tree / "src"), *(str(p) for p in sorted(tree.glob("plugins/*/src")))]
        )
    return env


def once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def exit_after_last_output(command: list[str], env: dict[str, str]) -> float:
    """Seconds from the command's last byte on stdout or stderr to its exit."""
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    streams = selectors.DefaultSelector()
    for stream in (child.stdout, child.stderr):
        assert stream is not None
        streams.register(stream, selectors.EVENT_READ)
    last = time.perf_counter()
    while streams.get_map():
        for key, _ in streams.select():
            if os.read(key.fd, 65536):
                last = time.perf_counter()
            else:
                streams.unregister(key.fileobj)
    if child.wait() != 0:
        raise RuntimeError(f"{command} failed")
    return time.perf_counter() - last


def plugins_loaded(env: dict[str, str]) -> str:
    out = subprocess.run([CONSOLE_SCRIPT, "plugins", "--json"], env=env, capture_output=True, text=True)
    rows = json.loads(out.stdout)
    ok = sum(1 for r in rows if r["status"] == "ok")
    return f"{ok} of {len(rows)} plugins ok"


def main(runs: int, compare: Path | None) -> None:
    trees = {"this tree": HERE, **({"compared": compare} if compare else {})}
    envs = {name: environment(tree) for name, tree in trees.items()}
    for name, env in envs.items():
        once(COMMANDS["llm-resolver --help"], env)  # warm: byte-code caches, file system
        print(f"{name}: {trees[name]} ({plugins_loaded(env)})")
    times: dict[tuple[str, str], list[float]] = {(c, t): [] for c in (*COMMANDS, LINGER) for t in trees}
    with ProviderEmulator() as emulator:
        complete = [CONSOLE_SCRIPT, "complete", "hi", "--model", "openai/gpt-4o-mini", "--api-base"]
        complete.append(emulator.openai_base)
        for _ in range(runs):
            for command, argv in COMMANDS.items():
                for tree in trees:
                    times[command, tree].append(once(argv, envs[tree]))
            for tree in trees:
                times[LINGER, tree].append(
                    exit_after_last_output(complete, {**envs[tree], "OPENAI_API_KEY": "x"})
                )
    print(f"\n{runs} runs each, wall seconds\n")
    print(f"| {'command':<22} | {'tree':<9} | median | fastest | slowest |")
    print(f"|{'-' * 24}|{'-' * 11}|-------:|--------:|--------:|")
    for (command, tree), samples in times.items():
        print(
            f"| {command:<22} | {tree:<9} | {statistics.median(samples):6.2f} | {min(samples):7.2f} | "
            f"{max(samples):7.2f} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command and tree (default 15)")
    parser.add_argument("--compare", type=Path, help="another checkout of this repository to time too")
    options = parser.parse_args()
    main(options.runs, options.compare.resolve() if options.compare else None)
