"""What ``doctor`` reads from the process alone: versions, which provider keys are set, and the plugins."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass

from llm_resolver import PluginManager
from llm_resolver.config.providers import PROVIDER_KEY_VARS

CORE_PACKAGES = ("llm-resolver", "litellm", "pluggy", "pydantic")


@dataclass(frozen=True)
class Problem:
    """Something that keeps the setup from working, and the one thing to do about it."""

    what: str
    fix: str


@dataclass(frozen=True)
class PluginRow:
    name: str
    distribution: str
    ok: bool
    detail: str  # what it registered, or why it did not load


def versions(plugins: PluginManager) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(package, version) for Python, the core packages and each plugin's distribution."""
    rows = [("python", platform.python_version())]
    problems: list[Problem] = []
    dists = sorted({s.distribution for s in plugins.statuses if s.distribution} - set(CORE_PACKAGES))
    for package in (*CORE_PACKAGES, *dists):
        try:
            rows.append((package, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
            problems.append(Problem(f"{package} is not installed", f"pip install {package}"))
    return rows, problems


def provider_keys(env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(provider, the variable that is set, or "not set (VAR, ...)"): names only, never a value."""
    env = os.environ if env is None else env
    rows = []
    for provider, names in PROVIDER_KEY_VARS.items():
        found = [var for var in names if env.get(var)]
        rows.append((provider, f"{found[0]} set" if found else f"not set ({', '.join(names)})"))
    return rows


def plugin_rows(plugins: PluginManager) -> tuple[list[PluginRow], list[Problem]]:
    """Each plugin with its load status and what it registered (the manager's own record of both)."""
    registered = plugins.registrations()
    rows: list[PluginRow] = []
    problems: list[Problem] = []
    for status in plugins.statuses:
        dist = status.distribution or status.source
        if status.ok:
            by_hook = registered.get(status.name, {})
            detail = "; ".join(
                f"{hook.removeprefix('register_').replace('_', ' ')}: {', '.join(names)}"
                for hook, names in by_hook.items()
            )
            rows.append(PluginRow(status.name, dist, True, detail or "hooks: " + ", ".join(status.hooks)))
            continue
        rows.append(PluginRow(status.name, dist, False, status.error or "failed"))
        problems.append(
            Problem(
                f"plugin {status.name!r} did not load: {status.error}",
                f"fix or reinstall {dist} (pip install -U {dist}), or uninstall it"
                if status.distribution
                else f"fix the plugin {status.name!r}, or stop registering it",
            )
        )
    return rows, problems
