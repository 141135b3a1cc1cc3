"""``${VAR}`` and ``${VAR:-default}`` in config values; ``$${`` writes a literal ``${``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from llm_resolver.config.safe_load import check_shape
from llm_resolver.errors import SpecError

_PATTERN = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?")


def interpolate(value: Any, env: Mapping[str, str], path: str = "") -> Any:
    """Substitute variables in every string inside ``value`` (dicts and lists walked recursively)."""
    check_shape(value, path or "settings")
    return _walk(value, env, path)


def _walk(value: Any, env: Mapping[str, str], path: str) -> Any:
    if isinstance(value, str):
        return _interpolate_str(value, env, path)
    if isinstance(value, Mapping):
        return {k: _walk(v, env, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, env, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _interpolate_str(text: str, env: Mapping[str, str], path: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "$${":
            return "${"
        name, default = match.group(1), match.group(2)
        if name is None:
            raise SpecError(
                f"{path or 'value'}: malformed variable reference {whole!r}; use ${{NAME}} or ${{NAME:-default}}",
                field=path or None,
            )
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise SpecError(
            f"{path or 'value'}: environment variable {name} is not set; set it or write ${{{name}:-default}}",
            field=path or None,
        )

    return _PATTERN.sub(substitute, text)
