"""``${VAR}`` and ``${VAR:-default}`` in config values; ``$${`` writes a literal ``${``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from llm_resolver.config.safe_load import check_shape
from llm_resolver.errors import SpecError

_PATTERN = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?")


# A value that is one variable and nothing else: the only form a secret may travel by (pickling).
WHOLE_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def interpolate(
    value: Any, env: Mapping[str, str], path: str = "", references: dict[str, str] | None = None
) -> Any:
    """Substitute variables in every string inside ``value`` (dicts and lists walked recursively).

    ``references`` collects value -> ``${VAR}`` for each string that was a whole reference, so a
    secret read that way can later be pickled as where it came from rather than as itself."""
    check_shape(value, path or "settings")
    return _walk(value, env, path, references)


def _walk(value: Any, env: Mapping[str, str], path: str, references: dict[str, str] | None) -> Any:
    if isinstance(value, str):
        text = _interpolate_str(value, env, path)
        if references is not None and WHOLE_REFERENCE.fullmatch(value):
            references[text] = value
        return text
    if isinstance(value, Mapping):
        return {k: _walk(v, env, f"{path}.{k}" if path else str(k), references) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, env, f"{path}[{i}]", references) for i, v in enumerate(value)]
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
