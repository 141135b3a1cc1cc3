"""A typed facade over pluggy: loading rules, per-plugin isolation and the registries hooks fill.

Every hook is called through pluggy's own caller (``self._pm.hook.<name>(...)``), so pluggy's
ordering, argument checks and call monitoring apply. Each implementation is wrapped once, when its
plugin registers, in a guard that gives it what our rules need: a ``register`` of its own for the
``register_*`` hooks, the previous implementation's request for ``before_request``, and isolation
(log, count, raise only when strict) for the observers.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import importlib.metadata
import inspect
import logging
import os
import re
import threading
import traceback
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import pluggy

from llm_resolver.errors import PluginError
from llm_resolver.plugins import hookspecs
from llm_resolver.plugins.markers import PROJECT
from llm_resolver.plugins.status import PluginStatus
from llm_resolver.redaction import redact

if TYPE_CHECKING:  # pydantic models: loading plugins (every command, --help too) must not build them
    from llm_resolver.types.context import CallContext
    from llm_resolver.types.request import ChatRequest
    from llm_resolver.types.responses import ChatResponse

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = PROJECT
OWN_DISTRIBUTION = "llm-resolver"
HOOK_NAMES = frozenset(
    name
    for name in dir(hookspecs)
    if not name.startswith("_") and hasattr(getattr(hookspecs, name), PROJECT + "_spec")
)
# Hooks that build a registry (``collect``); register_commands is an observer of the CLI.
REGISTRY_HOOKS = frozenset(h for h in HOOK_NAMES if h.startswith("register_") and h != "register_commands")


@dataclass
class _Collecting:
    """One call of a ``register_*`` hook: what each plugin added, and the plugins that failed."""

    make_register: Callable[[str, dict[str, Any]], Callable[..., None]]
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, Exception] = field(default_factory=dict)


@dataclass
class _Chain:
    """One call of ``before_request``: the request as the implementations so far have left it."""

    request: ChatRequest


# Per call, not per manager: calls run concurrently in threads and tasks.
_COLLECTING: contextvars.ContextVar[_Collecting | None] = contextvars.ContextVar("collecting", default=None)
_CHAIN: contextvars.ContextVar[_Chain | None] = contextvars.ContextVar("chain", default=None)


class PluginManager:
    """Loads plugins one by one so a broken plugin is reported and skipped, not fatal.

    ``LLM_RESOLVER_PLUGINS`` (comma list; empty for none) limits which third-party entry points load;
    ``LLM_RESOLVER_STRICT_PLUGINS=1`` turns load and registration failures into ``PluginError``.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self._pm = _Pluggy(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._statuses: dict[str, PluginStatus] = {}
        self._strict = env.get("LLM_RESOLVER_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes"}
        allow = env.get("LLM_RESOLVER_PLUGINS")
        self._allow = None if allow is None else {p.strip() for p in allow.split(",") if p.strip()}
        self._registries: dict[str, dict[str, Any]] = {}
        self._checking = False
        # Who registered what, for ``registrations``: entry name -> plugin per register_* hook, and the
        # sub-commands each plugin added through register_commands.
        self._owners: dict[str, dict[str, str]] = {}
        self._commands: dict[str, list[str]] = {}
        self._lock = threading.RLock()

    @property
    def strict(self) -> bool:
        return self._strict

    # Loading ---------------------------------------------------------------------------------------

    def load_entrypoints(self, entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> None:
        """Load each entry point on its own; ours first, then the rest by name, so which plugin wins
        a clash does not depend on the order the file system lists distributions in.

        The ``register_*`` hooks run on first use of any registry or of ``statuses`` (see ``check``),
        not here: ``llm-resolver --help`` only needs ``register_commands``, and building every registry
        imports what each plugin registers (the built-in resolver alone is most of the library). Under
        strict loading they run here, so a failure is a ``PluginError`` from this call."""
        eps = entry_points if entry_points is not None else group_entry_points()
        # a distribution's name is read from its metadata file on every access: once per entry point
        named = [(ep, _dist_name(ep)) for ep in eps]
        for ep, dist in sorted(named, key=lambda pair: (not _is_own(pair[1]), pair[0].name, pair[1] or "")):
            if not _is_own(dist) and self._allow is not None and ep.name not in self._allow:
                continue
            loaded = self._statuses.get(ep.name)
            if loaded is not None and loaded.source == "entry point" and loaded.distribution == dist:
                continue  # loaded by an earlier call
            try:
                plugin = ep.load()
            except Exception as exc:
                self._fail(
                    PluginStatus(self._free_name(ep.name, dist), "entry point", dist),
                    f"import failed: {_describe(exc)}",
                )
                continue
            self._add(plugin, ep.name, source="entry point", distribution=dist)
        if self._strict:
            self.check()

    def register(
        self,
        plugin: object,
        name: str | None = None,
        *,
        source: str = "manual",
        distribution: str | None = None,
    ) -> None:
        """Register a plugin object or module and run its ``register_*`` hooks (see ``check``); unknown
        hook names and hook wrappers are refused, and so is a second plugin under a name already taken
        (reported under ``name (distribution or source)``)."""
        self._add(plugin, name, source=source, distribution=distribution)
        self.check()

    def _add(self, plugin: object, name: str | None, *, source: str, distribution: str | None) -> None:
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        with self._lock:
            status = PluginStatus(self._free_name(name, distribution or source), source, distribution)
            if status.name != name:
                self._fail(status, f"another plugin is already registered as {name!r}; rename one of them")
                return
            guarded = self._guarded(plugin, name)
            try:
                self._pm.register(guarded, name=name)
            except (pluggy.PluginValidationError, ValueError) as exc:
                self._fail(status, f"invalid plugin: {exc}")
                return
            callers = self._pm.get_hookcallers(guarded) or []
            hooks = sorted(c.name for c in callers)
            unknown = [h for h in hooks if h not in HOOK_NAMES]
            wrappers = sorted(
                c.name
                for c in callers
                for impl in c.get_hookimpls()
                if impl.plugin_name == name and (impl.wrapper or impl.hookwrapper)
            )
            if unknown or wrappers:
                self._pm.unregister(guarded)
                self._fail(
                    status,
                    f"unknown hook(s) {unknown}; known hooks: {sorted(HOOK_NAMES)}"
                    if unknown
                    else f"hook wrappers are not supported ({', '.join(wrappers)}): each implementation "
                    "runs behind a guard that chains or isolates it, which a wrapper would get around; "
                    "drop wrapper=True / hookwrapper=True",
                )
                return
            status.hooks = hooks
            self._statuses[name] = status
            self._registries.clear()

    def _free_name(self, name: str, qualifier: str | None) -> str:
        """``name`` if no plugin status uses it yet, else a qualified variant that none uses."""
        candidate, n = name, 1
        while candidate in self._statuses:
            candidate = f"{name} ({qualifier or 'duplicate'})" + (f" #{n}" if n > 1 else "")
            n += 1
        return candidate

    def _fail(self, status: PluginStatus, error: str) -> None:
        status.error = error
        self._statuses[status.name] = status
        log.warning("plugin %r skipped: %s", status.name, error)
        if self._strict:
            raise PluginError(f"plugin {status.name!r}: {error}", plugin=status.name)

    @property
    def statuses(self) -> list[PluginStatus]:
        """Every plugin seen, loaded or not, with what its ``register_*`` hooks did wrong."""
        self.check()
        return sorted(self._statuses.values(), key=lambda s: s.name)

    def check(self) -> None:
        """Run every ``register_*`` hook now (each registry is built once and kept), so a plugin that
        raises there, or registers something malformed or twice, is reported and skipped when it loads,
        not at the first call that needs the registry; under strict loading that is a ``PluginError``.

        A plugin failing one hook is dropped from every registry, which are then built again without it.
        """
        from llm_resolver.plugins.registries import REGISTRIES  # they import this module

        with self._lock:
            if self._checking:
                return  # a registry built from here asks again
            self._checking = True
            try:
                while not REGISTRIES.keys() <= self._registries.keys():
                    for build in REGISTRIES.values():
                        build(self)
            finally:
                self._checking = False

    # Registries ------------------------------------------------------------------------------------

    def collect(
        self, hook: str, make_register: Callable[[str, dict[str, Any]], Callable[..., None]]
    ) -> dict[str, Any]:
        """Run a ``register_*`` hook; a plugin that raises is reported and skipped whole.

        ``make_register(plugin_name, target)`` builds the ``register`` callable handed to each plugin;
        what it adds goes into ``target`` and is merged only if the plugin finished cleanly. Entries
        merge in registration order and the first to claim a name keeps it; a later claim fails that plugin.
        A failed plugin is unregistered, so none of its hooks runs and no registry holds its entries.
        """
        with self._lock:
            self.check()  # every registry at once, so a plugin failing any hook is in none of them
            if hook in self._registries:
                return self._registries[hook]
            caller = self._caller(hook)
            collecting = _Collecting(make_register)
            token = _COLLECTING.set(collecting)
            try:
                caller(register=None)  # each implementation's guard hands it a register of its own
            finally:
                _COLLECTING.reset(token)
            merged: dict[str, Any] = {}
            owners: dict[str, str] = {}
            for impl in caller.get_hookimpls():  # registration order: the first claim keeps a name
                plugin = impl.plugin_name
                error = collecting.failed.get(plugin)
                added = collecting.added.get(plugin, {})
                clash = {k: owners[k] for k in sorted(set(added) & set(merged))}
                if error is None and clash:
                    error = PluginError(
                        f"{hook}: {', '.join(f'{k!r} (taken by {p!r})' for k, p in clash.items())} "
                        "already registered by another plugin; rename or uninstall one of them",
                        plugin=plugin,
                    )
                if error is not None:
                    self._drop(plugin, hook)
                    status = self._statuses.get(plugin) or PluginStatus(plugin, "manual")
                    self._fail(status, f"{hook} failed: {_describe(error)}")
                    continue
                merged.update(added)
                owners.update(dict.fromkeys(added, plugin))
            self._registries[hook] = merged
            self._owners[hook] = owners
            return merged

    def _drop(self, plugin_name: str, building: str) -> None:
        """Unregister a plugin that failed, and forget registries built with its entries."""
        self._pm.unregister(name=plugin_name)
        for hook in [h for h in self._registries if h != building]:
            del self._registries[hook]

    def resolvers(self) -> dict[str, type]:
        def make(plugin: str, target: dict[str, Any]) -> Callable[[str, type], None]:
            def register(name: str, resolver_class: type) -> None:
                if not isinstance(name, str) or not name:
                    raise PluginError(
                        f"resolver names must be non-empty strings, got {name!r}", plugin=plugin
                    )
                if not isinstance(resolver_class, type):
                    raise PluginError(
                        f"resolver {name!r} must be a class, got {resolver_class!r}", plugin=plugin
                    )
                if name in target:
                    raise PluginError(f"resolver {name!r} registered twice", plugin=plugin)
                target[name] = resolver_class

            return register

        return self.collect("register_resolvers", make)

    def registrations(self) -> dict[str, dict[str, list[str]]]:
        """What each loaded plugin registered: plugin -> hook -> names (tools and loaders by full name),
        ``register_commands`` included once the CLI ran it; plugins that failed have none."""
        self.check()
        found: dict[str, dict[str, list[str]]] = {}
        with self._lock:
            for hook in sorted(self._registries):
                for entry, plugin in self._owners.get(hook, {}).items():
                    found.setdefault(plugin, {}).setdefault(hook, []).append(entry)
            for plugin, commands in self._commands.items():
                if commands and plugin in self._statuses and self._statuses[plugin].ok:
                    found.setdefault(plugin, {})["register_commands"] = list(commands)
        return found

    # Call-time hooks -------------------------------------------------------------------------------

    @property
    def hook(self) -> Any:
        return self._pm.hook

    def has_impls(self, hook: str) -> bool:
        return bool(self._caller(hook).get_hookimpls())

    def _caller(self, hook: str, arguments: Iterable[str] | None = None) -> pluggy.HookCaller:
        """The hook named ``hook``; a name that is no hook, or arguments its spec does not take, are a
        ``PluginError`` (pluggy would otherwise fail with an AttributeError, or blame each plugin)."""
        if hook not in HOOK_NAMES:
            close = difflib.get_close_matches(hook, HOOK_NAMES, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise PluginError(
                f"no hook is named {hook!r}; {hint}known hooks: {', '.join(sorted(HOOK_NAMES))}"
            )
        caller: pluggy.HookCaller = getattr(self._pm.hook, hook)
        if arguments is not None and caller.spec is not None:
            expected = list(caller.spec.argnames)
            if sorted(arguments) != sorted(expected):
                raise PluginError(f"{hook} takes the arguments {expected}, not {sorted(arguments)}")
        return caller

    def before_request(self, request: ChatRequest, context: CallContext) -> ChatRequest:
        """Run ``before_request`` implementations in pluggy's order, each on the previous one's result."""
        chain = _Chain(request)
        token = _CHAIN.set(chain)
        try:
            self._pm.hook.before_request(request=request, context=context)
        finally:
            _CHAIN.reset(token)
        return chain.request

    def after_response(self, response: ChatResponse, context: CallContext) -> None:
        self._pm.hook.after_response(response=response, context=context)

    def on_error(self, error: Exception, context: CallContext) -> None:
        self._pm.hook.on_error(error=error, context=context)

    def register_commands(self, cli: Any) -> None:
        self._pm.hook.register_commands(cli=cli)

    def notify(self, hook: str, **kwargs: Any) -> None:
        """Run an observer hook by name; an observer that raises is logged (raised when strict), never
        fatal. A name that is no hook, or arguments it does not take, are a ``PluginError``."""
        self._caller(hook, kwargs)(**kwargs)

    # Guards ----------------------------------------------------------------------------------------

    def _guarded(self, plugin: object, name: str) -> _Guarded:
        """What pluggy registers for ``plugin``: its hook implementations, each behind its guard
        (``functools.wraps`` keeps the marker and the signature pluggy reads)."""
        guarded = _Guarded(plugin)
        for attr in _candidates(plugin):
            opts = self._pm.parse_hookimpl_opts(plugin, attr)
            if opts is None:
                continue
            function = getattr(plugin, attr)
            if opts.get("wrapper") or opts.get("hookwrapper"):
                setattr(guarded, attr, function)  # registered as it is, to be refused by name in _add
                continue
            guard = self._guard(opts.get("specname") or attr, name, function)
            setattr(guarded, attr, functools.wraps(function)(guard))
        return guarded

    def _guard(self, hook: str, plugin: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` as pluggy should call it under our rules (see the module docstring)."""
        argnames = _argnames(function)
        if hook in REGISTRY_HOOKS:

            def register_into(*args: Any, **kwargs: Any) -> None:
                collecting = _COLLECTING.get()
                if collecting is None:
                    raise PluginError(f"{hook} runs only when the plugin manager builds its registry")
                added: dict[str, Any] = {}
                try:
                    register = collecting.make_register(plugin, added)
                    function(*_swap(argnames, args, "register", register), **kwargs)
                except Exception as exc:
                    collecting.failed[plugin] = exc
                else:
                    collecting.added[plugin] = added

            return register_into
        if hook == "before_request":

            def transform(*args: Any, **kwargs: Any) -> None:
                chain = _CHAIN.get()
                if chain is None:
                    raise PluginError("before_request runs through PluginManager.before_request")
                try:
                    changed = function(*_swap(argnames, args, "request", chain.request), **kwargs)
                except Exception as exc:
                    raise PluginError(
                        f"plugin {plugin!r} failed in before_request: {_describe(exc)}", plugin=plugin
                    ) from exc
                if changed is not None:
                    from llm_resolver.types.request import ChatRequest

                    if not isinstance(changed, ChatRequest):
                        raise PluginError(
                            f"plugin {plugin!r}: before_request must return a ChatRequest or None, "
                            f"not {type(changed).__name__}",
                            plugin=plugin,
                        )
                    chain.request = changed

            return transform

        def observe(*args: Any, **kwargs: Any) -> None:
            try:
                function(*args, **kwargs)
            except Exception as exc:
                log.warning("plugin %r failed in %s: %s", plugin, hook, _describe(exc))
                self._record_runtime_failure(plugin, f"{hook}: {_describe(exc)}")
                if self._strict:
                    raise PluginError(
                        f"plugin {plugin!r} failed in {hook}: {_describe(exc)}", plugin=plugin
                    ) from exc

        if hook == "register_commands":

            def add_commands(*args: Any, **kwargs: Any) -> None:
                """Remember which sub-commands the plugin added (``cli.choices``: name -> parser)."""
                cli = dict(zip(argnames, args, strict=False)).get("cli", kwargs.get("cli"))
                before = set(getattr(cli, "choices", {}))
                try:
                    observe(*args, **kwargs)
                finally:
                    self._commands[plugin] = sorted(set(getattr(cli, "choices", {})) - before)

            return add_commands
        return observe

    def _record_runtime_failure(self, plugin_name: str, error: str) -> None:
        with self._lock:
            status = self._statuses.get(plugin_name)
            if status is not None:
                status.runtime_failures += 1
                status.last_runtime_error = error


_HOOKABLE = (types.FunctionType, types.MethodType, staticmethod, classmethod)


def _candidates(plugin: object) -> Iterable[str]:
    """The names pluggy's scan of ``plugin`` could find a hook under. For a module that is its
    functions: pluggy reads every name ``dir()`` lists with ``inspect.getattr_static``, about 25 µs
    each, and a plugin module lists every name it imports, so a resolve spent 4 ms there."""
    if not isinstance(plugin, types.ModuleType):
        return dir(plugin)
    return [name for name, value in vars(plugin).items() if isinstance(value, _HOOKABLE)]


class _Guarded(types.ModuleType):
    """The stand-in pluggy holds for a plugin; its hook functions are set on it by ``_guarded``.

    A module, because pluggy reads every name ``dir()`` lists, statically: a module lists what was
    set on it, where an instance lists every attribute of ``object`` too."""

    def __init__(self, plugin: object) -> None:
        super().__init__(f"<guarded {plugin!r}>")
        self.plugin = plugin

    def __repr__(self) -> str:
        return f"<guarded {self.plugin!r}>"


class _Pluggy(pluggy.PluginManager):
    """pluggy, reading a ``_Guarded`` stand-in's hooks straight from its namespace: each function set
    there is a hook carrying its marker (``functools.wraps`` copied it), and pluggy's own static scan
    of every name would find the same ones, slower."""

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        if not isinstance(plugin, _Guarded):
            return super().parse_hookimpl_opts(plugin, name)
        function = vars(plugin).get(name)
        if not isinstance(function, _HOOKABLE):
            return None
        opts = getattr(function, PROJECT + "_impl", None)
        return cast("pluggy.HookimplOpts", opts) if isinstance(opts, dict) else None


def _argnames(function: Callable[..., Any]) -> tuple[str, ...]:
    """The arguments pluggy passes ``function`` by position: those without a default, in order."""
    return tuple(
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )


def _swap(argnames: tuple[str, ...], args: tuple[Any, ...], name: str, value: Any) -> tuple[Any, ...]:
    """``args`` with the argument ``name`` (if the implementation takes it) set to ``value``."""
    if name not in argnames:
        return args
    at = argnames.index(name)
    return (*args[:at], value, *args[at + 1 :])


def _describe(exc: BaseException) -> str:
    """``Type: message (file:line)``, with anything shaped like a key masked."""
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return redact(f"{type(exc).__name__}: {exc}{where}")


def group_entry_points() -> list[importlib.metadata.EntryPoint]:
    """What ``importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)`` returns, the first distribution
    of a name winning as there, with only the files that name the group parsed: parsing every installed
    package's entry points (console scripts and all) took three quarters of the scan."""
    seen: set[str] = set()
    found: list[importlib.metadata.EntryPoint] = []
    for dist in importlib.metadata.distributions():
        key = getattr(dist, "_normalized_name", None) or _normalized(dist.name or "")
        if key in seen:
            continue
        seen.add(key)
        text = dist.read_text("entry_points.txt")
        if text and ENTRY_POINT_GROUP in text:
            found.extend(dist.entry_points.select(group=ENTRY_POINT_GROUP))
    return found


def _normalized(name: str) -> str:
    """A distribution name as importlib.metadata compares them (PEP 503, with underscores)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_name(ep: importlib.metadata.EntryPoint) -> str | None:
    """The distribution's ``Name`` header, read off the top of its METADATA: ``Distribution.name``
    parses the whole file with the email parser, a few milliseconds per plugin at every first resolve."""
    dist = ep.dist
    if dist is None:
        return None
    for line in (dist.read_text("METADATA") or "").splitlines():
        if not line.strip():
            break  # the headers end at the first blank line
        if line.startswith("Name:"):
            return line[len("Name:") :].strip()
    return dist.name


def _is_own(dist: str | None) -> bool:
    return dist is not None and dist.replace("_", "-").lower() == OWN_DISTRIBUTION
