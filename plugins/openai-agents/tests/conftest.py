"""The bridge tests' fixtures: one spec on the provider emulator (see tests/bridge_fixtures.py)."""

from tests.bridge_fixtures import _collect_leaks_here, chat_counts, llm, plugins, spec

__all__ = ["_collect_leaks_here", "chat_counts", "llm", "plugins", "spec"]
