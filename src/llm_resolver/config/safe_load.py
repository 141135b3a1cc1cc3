"""Reading YAML and JSON config that may be hostile: bounded in size, depth and alias expansion.

PyYAML shares an aliased node, but everything after it (interpolation, validation, masking) walks
the expanded tree, so a few hundred bytes of nested aliases ("billion laughs") would cost minutes
and gigabytes; deep nesting would end in a bare RecursionError. Every config text and every mapping
handed to a spec goes through the checks here, which refuse early with a ``SpecError`` naming the
source and the limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer

from llm_resolver.errors import SpecError

MAX_CONFIG_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 100
# Values (mappings, lists and scalars) once every alias or shared object is counted in full.
MAX_VALUES = 10_000


def read_config_text(path: str | Path, where: str) -> str:
    """The file's text, refused past ``MAX_CONFIG_BYTES`` without reading the rest.

    ``OSError`` and ``UnicodeDecodeError`` are left to the caller, which knows what to advise."""
    with Path(path).open("rb") as file:
        data = file.read(MAX_CONFIG_BYTES + 1)
    _check_size(len(data), where)
    return data.decode("utf-8")


def load_yaml(text: str, where: str) -> Any:
    """``yaml.safe_load`` within the limits; ``where`` names the source in every error."""
    _check_text(text, where)
    loader = _LimitedLoader(text, where)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise SpecError(f"{where} is not valid YAML ({yaml_problem(exc)}); fix it") from None
    finally:
        loader.dispose()


def load_json(text: str, where: str) -> Any:
    """``json.loads`` within the limits; ``where`` names the source in every error."""
    _check_text(text, where)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{where} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); fix it"
        ) from None
    except RecursionError:
        raise _too_deep(where) from None
    check_shape(data, where)
    return data


def yaml_problem(exc: yaml.YAMLError) -> str:
    """Where and what went wrong, without the excerpt PyYAML quotes (that line may hold a key)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return where + (exc.problem or exc.context or "syntax error")
    return type(exc).__name__


def check_shape(value: Any, where: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH``, more than ``MAX_VALUES`` values once shared objects
    are counted in full, and containers that hold themselves; iterative, each object visited once."""
    children = _children(value)
    if children is None:
        return
    sizes: dict[int, int] = {}  # id of a finished container -> its values, counted in full
    # One frame per open container: its id, its remaining children, its values so far.
    path: list[tuple[int, Iterator[Any], list[int]]] = [(id(value), children, [1])]
    open_ids = {id(value)}
    while path:
        ident, rest, size = path[-1]
        child = next(rest, _DONE)
        if child is _DONE:
            path.pop()
            open_ids.discard(ident)
            sizes[ident] = size[0]
            if path:
                _add(path[-1][2], size[0], where)
            continue
        grandchildren = _children(child)
        if grandchildren is None:
            _add(size, 1, where)
        elif id(child) in sizes:
            _add(size, sizes[id(child)], where)
        elif id(child) in open_ids:
            raise SpecError(
                f"{where} holds itself (a recursive alias or reference); write the values out instead"
            )
        elif len(path) >= MAX_DEPTH:
            raise _too_deep(where)
        else:
            path.append((id(child), grandchildren, [1]))
            open_ids.add(id(child))


_DONE = object()


def _children(value: Any) -> Iterator[Any] | None:
    if isinstance(value, Mapping):
        return iter(list(value.values()))
    if isinstance(value, list | tuple):
        return iter(list(value))
    return None


def _add(size: list[int], count: int, where: str) -> None:
    size[0] += count
    if size[0] > MAX_VALUES:
        raise _too_many(where)


def _check_text(text: str, where: str) -> None:
    if len(text) > MAX_CONFIG_BYTES:  # a character is at least one byte
        _check_size(len(text), where)
    elif len(text) > MAX_CONFIG_BYTES // 4:  # and at most four: only then is it worth measuring
        _check_size(len(text.encode("utf-8", "surrogatepass")), where)


def _check_size(size: int, where: str) -> None:
    if size > MAX_CONFIG_BYTES:
        raise SpecError(
            f"{where} is larger than {MAX_CONFIG_BYTES // 1024} KiB, the limit for a config; "
            "keep only the settings in it"
        )


def _too_deep(where: str, line: int | None = None) -> SpecError:
    at = f" (line {line})" if line else ""
    return SpecError(
        f"{where} is nested deeper than {MAX_DEPTH} levels{at}, the limit for settings; flatten it"
    )


def _too_many(where: str, line: int | None = None) -> SpecError:
    at = f" (at line {line})" if line else ""
    return SpecError(
        f"{where} holds more than {MAX_VALUES} values once aliases and shared values are expanded{at}, "
        "the limit for settings; write the values out once instead of repeating them"
    )


try:  # libyaml scans and parses several times faster; our composer (below) builds the nodes either way
    from yaml import CSafeLoader as _Parsing
except ImportError:  # PyYAML built without libyaml: slower, within the same limits
    from yaml.constructor import SafeConstructor
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.resolver import Resolver
    from yaml.scanner import Scanner

    class _Parsing(Reader, Scanner, Parser, SafeConstructor, Resolver):  # type: ignore[no-redef]
        """SafeLoader without its composer (ours comes first)."""

        _where: str

        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def fetch_flow_collection_start(self, TokenClass: type[yaml.Token]) -> None:
            # This scanner looks ahead past every open '[' or '{' (each may start a key): stop it
            # here, or a long line of them costs time quadratic in their depth before we see one.
            if self.flow_level >= MAX_DEPTH:
                raise _too_deep(self._where, self.get_mark().line + 1)
            super().fetch_flow_collection_start(TokenClass)


class _LimitedLoader(Composer, _Parsing):
    """A safe loader whose composer counts depth, aliases and the expanded size as the events arrive,
    so a bomb is refused at the alias that would blow up, before anything walks the tree."""

    def __init__(self, text: str, where: str) -> None:
        _Parsing.__init__(self, text)
        Composer.__init__(self)  # CSafeLoader composes in C and does not set the composer up
        self._where = where
        self._depth = 0
        self._aliases = 0
        self._values = 0  # of the document so far, each alias counted as the values it stands for
        self._anchored: dict[str, int] = {}  # anchor -> the values its node stands for, once composed

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        assert event is not None  # the parser hands the composer a node's first event
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise SpecError(
                    f"{self._where} uses more than {MAX_ALIASES} aliases (*name, at line {line}), the "
                    "limit for a config; write the values out instead"
                )
            node = super().compose_node(parent, index)  # PyYAML refuses an undefined alias
            if event.anchor not in self._anchored:
                raise SpecError(
                    f"{self._where} uses alias *{event.anchor} inside its own anchor (line {line}); "
                    "a recursive value cannot be a setting, write it out"
                )
            self._count(self._anchored[event.anchor], line)
            return node
        collection = isinstance(event, yaml.CollectionStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _too_deep(self._where, line)
        before = self._values
        self._count(1, line)
        node = super().compose_node(parent, index)
        if collection:
            self._depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._anchored[anchor] = self._values - before
        return node

    def _count(self, values: int, line: int | None) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise _too_many(self._where, line)
