"""Time and memory of refusing hostile config: alias bombs, deep nesting, oversize and overfull files.

Each case is loaded the way a user would hit it (the LLM_RESOLVER_CONFIG file, Dependencies text, a
mapping handed to DependencySpec) and must end in a SpecError. Prints a table: case, bytes, seconds
(median of 3) and peak MB (tracemalloc, a separate run). A normal config is the baseline.
Run on demand:  .venv/bin/python benchmarks/config_bombs.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test module's document builders

from llm_resolver import DependencySpec, LiteLLMResolver, SpecError
from llm_resolver.host.dependencies import Dependencies
from llm_resolver.plugins.manager import PluginManager
from tests.core.test_config_limits import (
    CONFIG_HEAD,
    DEPENDENCIES_HEAD,
    deep_dict,
    deep_yaml,
    laughs,
)

PLUGINS = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
PLUGINS.load_entrypoints()
NORMAL = "model: openai/gpt-4o-mini\nextra_headers: &h {X-Tenant: acme}\nfallback_models: [{model: openai/gpt-4o, extra_headers: *h}]\n"


def from_file(folder: Path, text: str) -> tuple[int, Callable[[], object]]:
    path = folder / f"case{len(list(folder.iterdir()))}.yaml"
    path.write_text(text, encoding="utf-8")
    return len(text.encode()), lambda: LiteLLMResolver(
        plugins=PLUGINS, env={"LLM_RESOLVER_CONFIG": str(path)}
    )


def from_text(text: str, json_text: bool = False) -> tuple[int, Callable[[], object]]:
    load = Dependencies.from_json if json_text else Dependencies.from_yaml
    return len(text.encode()), lambda: load(text, plugins=PLUGINS, env={}).get("llm")


def cases(folder: Path) -> dict[str, tuple[int | None, Callable[[], object]]]:
    deep_json = (
        '{"llm": {"class_name": "litellm", "properties": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}}"
    )
    overfull = CONFIG_HEAD + "  x:\n" + "".join(f"  - {i}\n" for i in range(200_000))
    overfull = overfull[: overfull.rindex("\n", 0, 1024 * 1024 - 1) + 1]
    deep = {"x": deep_dict(100_000)}  # built outside the timed call
    return {
        "normal config with anchors (baseline)": from_file(folder, NORMAL),
        "alias bomb, config file": from_file(folder, laughs(393, CONFIG_HEAD, "  ")),
        "alias bomb, config file ": from_file(folder, laughs(600, CONFIG_HEAD, "  ")),
        "alias bomb, Dependencies YAML": from_text(laughs(393, DEPENDENCIES_HEAD, "      ")),
        "alias bomb, Dependencies YAML ": from_text(laughs(600, DEPENDENCIES_HEAD, "      ")),
        "101 aliases of a scalar, config file": from_file(
            folder, CONFIG_HEAD + "  a: &a 1\n  b: [" + ", ".join(["*a"] * 101) + "]\n"
        ),
        "100k-deep flow YAML, config file": from_file(folder, deep_yaml(100_000)),
        "100k-deep JSON, Dependencies": from_text(deep_json, json_text=True),
        "100k-deep dict, DependencySpec properties": (
            None,
            lambda: DependencySpec(class_name="litellm", properties=deep),
        ),
        "2 MiB file, config file": from_file(folder, CONFIG_HEAD + "  x: " + "y" * (2 << 20) + "\n"),
        "1 MiB of list items (>10k values), config file": from_file(folder, overfull),
        "JSON list of 100k numbers, Dependencies": from_text(json.dumps({"llm": list(range(100_000))}), True),
    }


def run(case: Callable[[], object]) -> bool:
    """Whether the case ended in a SpecError (the baseline must not)."""
    try:
        case()
    except SpecError:
        return True
    return False


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for name, (size, case) in cases(Path(tmp)).items():
            times = []
            refused = False
            for _ in range(3):
                start = time.perf_counter()
                refused = run(case)
                times.append(time.perf_counter() - start)
            tracemalloc.start()
            run(case)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            rows.append(
                (name.strip(), "-" if size is None else str(size), statistics.median(times), peak, refused)
            )
    print(f"| {'case':<47} | {'bytes':>8} | {'seconds':>8} | {'peak MB':>7} | SpecError |")
    print(f"|{'-' * 49}|{'-' * 10}|{'-' * 10}|{'-' * 9}|-----------|")
    for name, size, seconds, peak, refused in rows:
        print(
            f"| {name:<47} | {size:>8} | {seconds:>8.4f} | {peak:>7.1f} | {'yes' if refused else 'no':<9} |"
        )


if __name__ == "__main__":
    main()
