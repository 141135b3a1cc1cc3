"""The package graph of ``llm_resolver``: no cycles, and every import points down the layers below.

Every module under ``src/llm_resolver`` is parsed with ``ast``; each ``import`` and ``from … import``
counts, wherever it is written (inside a function too), except under ``if TYPE_CHECKING:``, which
never runs. An import is an arrow from the importing module's package (the first name under
``llm_resolver``: a sub-package, or a module at the top such as ``errors``) to the imported one's.

The layers, bottom first (a package may import its own layer and those below it):

0. ``redaction``, ``sqlite_store``, ``lazy``, ``addresses`` — leaf helpers (masking secrets, a SQLite
   connection, names exported on first access, whether a host is this machine).
1. ``errors`` — the typed errors everything raises.
2. ``vision`` — the rules of image data (data URLs, media types, sizes, provider limits), the built-in
   image sources, the content-loader contract; below the types because ``ImagePart`` validates with
   them and ``Message.user`` reads the images it is given through them.
3. ``types`` — value types: messages, requests, responses, tools, ``Scope``, ``CallContext``.
4. ``config`` — every setting (``LiteLLMConfig``; budget, cache and vision settings; sources); and
   what only needs the types: ``protocol`` (the ``LLM`` protocol), ``readout`` (response summaries).
5. ``backend`` — LiteLLM and the wire.
6. ``catalog``, ``tokens`` — what is known about models; the one token count.
7. ``resilience``, ``streaming``, ``structured``, ``lifecycle`` — the mechanics a call is made of.
8. ``cache``, ``metering``, ``tools`` — what a call is checked against and fans out to; the registries
   of what plugins add to them (they take the plugin manager as an argument, never import it).
9. ``plugins`` — the manager, its typed hooks and registries, the process-wide default.
10. ``services``, ``content``, ``embeddings`` — what a call is served by: the plugin manager, meters
    and cache an LLM uses; content loading; embedding inputs and batches.
11. ``pipeline`` — the call's stages in order (prepare, cache, budget, attempts over the backend
    port, observe), for chat, streams and embeddings.
12. ``llm``, ``tool_loop`` — the LLM façade over the pipeline, and the tool loop that drives an LLM.
13. ``resolution`` — specs and resolvers.
14. ``host``, ``builtin_plugin`` — host-side injection; the built-in resolver's plugin registration.
15. ``testing``, ``demo`` — the test kit (emulator, ``FakeLLM``, ``ScriptedBackend``) and the demo host.
16. ``cli`` and the package root (``llm_resolver/__init__.py``, which re-exports the public names):
    the command line may use everything (``__version__`` included); any other module that imports
    from the root imports upward.

Check it with ``python -m pytest tests/test_module_graph.py``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from llm_resolver.backend import loader

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "llm_resolver"
TOP = "(package root)"

LAYERS: list[frozenset[str]] = [
    frozenset({"redaction", "sqlite_store", "lazy", "addresses"}),
    frozenset({"errors"}),
    frozenset({"vision"}),
    frozenset({"types"}),
    frozenset({"config", "protocol", "readout"}),
    frozenset({"backend"}),
    frozenset({"catalog", "tokens"}),
    frozenset({"resilience", "streaming", "structured", "lifecycle"}),
    frozenset({"cache", "metering", "tools"}),
    frozenset({"plugins"}),
    frozenset({"services", "content", "embeddings"}),
    frozenset({"pipeline"}),
    frozenset({"llm", "tool_loop"}),
    frozenset({"resolution"}),
    frozenset({"host", "builtin_plugin"}),
    frozenset({"testing", "demo"}),
    frozenset({"cli", TOP}),
]

# Module-level imports known to point the wrong way, each with the work that removes it.
KNOWN: frozenset[tuple[str, str]] = frozenset({})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / ROOT).rglob("*.py"))}


def imported_names(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``source`` imports, at any depth, except inside
    ``if TYPE_CHECKING:``. ``from a import b`` imports the module ``a.b`` if there is one, else ``a``."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts[: len(parts) - node.level + (1 if is_package else 0)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            for alias in node.names:
                name = f"{origin}.{alias.name}"
                if name in known:
                    names.add(name)
                elif origin in known:
                    names.add(origin)
    return names


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else TOP


def module_edges() -> set[tuple[str, str]]:
    """(importer, imported) for every import between two of our modules in different packages."""
    loader.wait_for_import()  # an LLM resolved by an earlier test may be importing in the background
    found = modules()
    known = set(found)
    return {
        (name, target)
        for name, path in found.items()
        for target in imported_names(path.read_text(), name, path.name == "__init__.py", known)
        if package_of(target) != package_of(name)
    }


def package_edges() -> dict[tuple[str, str], list[str]]:
    """(importer package, imported package) → the module imports that make the arrow."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for importer, imported in sorted(module_edges() - KNOWN):
        edges[package_of(importer), package_of(imported)].append(f"{importer} -> {imported}")
    return edges


def layer_of(package: str) -> int:
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise KeyError(package)


def test_every_package_has_a_layer() -> None:
    packages = {package_of(m) for m in modules()}
    placed = set().union(*LAYERS)
    assert packages - placed == set(), "put each new package in LAYERS (and in the docstring)"
    assert placed - packages == set(), "a package in LAYERS no longer exists; drop it"


def test_no_import_points_upward() -> None:
    upward = [
        line
        for (importer, imported), lines in package_edges().items()
        if layer_of(imported) > layer_of(importer)
        for line in lines
    ]
    assert upward == []


def test_no_package_cycles() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, imported in package_edges():
        graph[importer].add(imported)
    cycles = [sorted(c) for c in strongly_connected(graph) if len(c) > 1]
    assert cycles == []


def test_known_wrong_way_imports_still_exist() -> None:
    """Delete an entry from KNOWN once the work it names has removed the import."""
    assert KNOWN - module_edges() == set()


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the graph's strongly connected components (a cycle is one of more than one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


# The walker itself -------------------------------------------------------------------------------


def test_lazy_imports_count_and_type_checking_ones_do_not() -> None:
    source = """
from typing import TYPE_CHECKING
from llm_resolver.types.scope import Scope
if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager
if not TYPE_CHECKING:
    import llm_resolver.plugins
def later():
    from llm_resolver.plugins.default import default_plugin_manager
    import llm_resolver.cli
"""
    known = {
        "llm_resolver.types.scope",
        "llm_resolver.plugins",
        "llm_resolver.plugins.manager",
        "llm_resolver.plugins.default",
        "llm_resolver.cli",
    }
    names = imported_names(source, "llm_resolver.cache.registry", False, known)
    assert names == {
        "llm_resolver.types.scope",
        "llm_resolver.plugins",
        "llm_resolver.plugins.default",
        "llm_resolver.cli",
    }


def test_from_the_root_a_submodule_is_imported_and_a_name_is_the_root() -> None:
    known = {"llm_resolver", "llm_resolver.structured"}
    assert imported_names("from llm_resolver import structured", "llm_resolver.llm.x", False, known) == {
        "llm_resolver.structured"
    }
    assert imported_names("from llm_resolver import LiteLLM", "llm_resolver.cli.x", False, known) == {
        "llm_resolver"
    }


@pytest.mark.parametrize(
    ("module", "is_package", "source", "expected"),
    [
        (
            "llm_resolver.cache.registry",
            False,
            "from .memory import MemoryCache",
            "llm_resolver.cache.memory",
        ),
        ("llm_resolver.cache", True, "from .memory import MemoryCache", "llm_resolver.cache.memory"),
        ("llm_resolver.cache.registry", False, "from ..errors import SpecError", "llm_resolver.errors"),
    ],
)
def test_relative_imports_resolve(module: str, is_package: bool, source: str, expected: str) -> None:
    assert imported_names(source, module, is_package, {expected}) == {expected}


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [sorted(c) for c in strongly_connected(graph) if len(c) > 1] == [["a", "b", "c"]]
