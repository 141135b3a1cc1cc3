"""Reading a tool's description and its parameters' descriptions from a Google-style docstring
(``Args:`` section; Sphinx ``:param name:`` lines work too)."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Params|Keyword Args|Returns?|Yields?|Raises|Examples?|Notes?|"
    r"Attributes|See Also|Warnings?|Todo):\s*$",
    re.IGNORECASE,
)
_PARAM_SECTIONS = frozenset({"args", "arguments", "parameters", "params", "keyword args"})
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(?P<name>\w+)\s*(?:\([^)]*\))?\s*:\s*(?P<text>.*)$")
_SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?(?P<name>\w+)\s*:\s*(?P<text>.*)$")


@dataclass
class Docstring:
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    if not doc:
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    result = Docstring()
    description: list[str] = []
    section: str | None = None
    current: str | None = None
    entry_indent: int | None = None
    for line in lines:
        stripped = line.strip()
        header = _SECTION.match(stripped) if not line.startswith((" ", "\t")) else None
        if header:
            section, current, entry_indent = header.group(1).lower(), None, None
            continue
        sphinx = _SPHINX_PARAM.match(stripped)
        if sphinx:
            section, current = ":param", sphinx["name"]
            result.params[current] = sphinx["text"].strip()
            continue
        if section is None:
            description.append(stripped)
        elif section in _PARAM_SECTIONS and stripped:
            indent = len(line) - len(line.lstrip())
            entry = _GOOGLE_ENTRY.match(stripped)
            if entry and (entry_indent is None or indent <= entry_indent):
                entry_indent, current = indent, entry["name"]
                result.params[current] = entry["text"].strip()
            elif current is not None:
                result.params[current] = f"{result.params[current]} {stripped}".strip()
        elif section == ":param" and stripped and current is not None:
            result.params[current] = f"{result.params[current]} {stripped}".strip()
    result.description = _paragraphs(description)
    return result


def _paragraphs(lines: list[str]) -> str:
    """Lines joined into paragraphs: wrapped lines become one line, blank lines separate paragraphs."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)
