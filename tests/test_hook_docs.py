"""Every hook is documented in docs/plugins.md and implemented by at least one test plugin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llm_resolver.plugins.manager import HOOK_NAMES

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
TEST_SOURCES = [
    p.read_text(encoding="utf-8")
    for p in [*ROOT.joinpath("tests").rglob("*.py"), *ROOT.joinpath("plugins").glob("*/tests/**/*.py")]
    if p.resolve() != Path(__file__).resolve()
]


def test_the_hook_list_is_not_empty() -> None:
    assert {"register_resolvers", "before_request", "on_error"} <= HOOK_NAMES


@pytest.mark.parametrize("hook", sorted(HOOK_NAMES))
def test_hook_is_documented_with_an_example(hook: str) -> None:
    section = re.search(rf"^### `{hook}`\n(.*?)(?=^### |\Z)", GUIDE, re.S | re.M)
    assert section, f"docs/plugins.md has no '### `{hook}`' section"
    assert f"def {hook}(" in section.group(1), f"the {hook} section has no example implementation"


@pytest.mark.parametrize("hook", sorted(HOOK_NAMES))
def test_hook_is_implemented_by_a_test_plugin(hook: str) -> None:
    pattern = re.compile(rf"@hookimpl[^\n]*\n(?:\s*@[^\n]*\n)*\s*def {hook}\(")
    assert any(pattern.search(src) for src in TEST_SOURCES), f"no test implements the {hook} hook"
