"""Plugin loading rules, exercised with real entry points of real (temporary) distributions."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import textwrap
import uuid
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import DependencySpec, LiteLLMResolver, PluginError, Scope, SpecError, hookimpl
from llm_resolver.plugins.manager import ENTRY_POINT_GROUP, PluginManager, group_entry_points
from llm_resolver.plugins.status import PluginStatus

# A resolver short name "echo-<suffix>" whose objects say which plugin built them.
RESOLVER = """
from llm_resolver import DependencyResolver, hookimpl

class Echo(DependencyResolver):
    def __init__(self, greeting="hello"):
        self.greeting = greeting

    def resolve(self, scope):
        return f"{{self.greeting}} {{scope.org}} from {origin}"

@hookimpl
def register_resolvers(register):
    register({name!r}, Echo)
"""

BROKEN_IMPORT = "import no_such_dependency_of_this_plugin\n"
RAISES_IN_REGISTER = """
from llm_resolver import hookimpl

@hookimpl
def register_resolvers(register):
    register("half-done", object)
    raise ValueError("cannot reach the licence server")

@hookimpl
def before_request(request, context):
    raise AssertionError("a plugin that failed to register must not run")
"""
UNKNOWN_HOOK = """
from llm_resolver import hookimpl

@hookimpl
def register_widgets(register):
    register("w")
"""
WRONG_ARGUMENTS = """
from llm_resolver import hookimpl

@hookimpl
def before_request(req, ctx, extra):
    return None
"""
NOT_A_CLASS = """
from llm_resolver import hookimpl

@hookimpl
def register_resolvers(register):
    register("not-a-class", "llm_resolver.LiteLLMResolver")
"""

Install = Callable[[str, dict[str, str]], None]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """``install(distribution, {entry_point_name: module_source})``: a distribution on sys.path whose
    ``llm_resolver`` entry points name freshly written modules (unique names, removed afterwards)."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install_dist(dist: str, plugins: dict[str, str]) -> None:
        info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        lines = ["[llm_resolver]"]
        for ep_name, source in plugins.items():
            module = f"llmr_plugin_{uuid.uuid4().hex[:10]}"
            (site / f"{module}.py").write_text(textwrap.dedent(source))
            modules.append(module)
            lines.append(f"{ep_name} = {module}")
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        importlib.invalidate_caches()

    yield install_dist
    for module in modules:
        sys.modules.pop(module, None)
    importlib.invalidate_caches()


def resolver_plugin(name: str, origin: str) -> str:
    return RESOLVER.format(name=name, origin=origin)


def loaded(env: dict[str, str]) -> PluginManager:
    manager = PluginManager(env=env)
    manager.load_entrypoints()
    return manager


def status_of(manager: PluginManager, name: str) -> PluginStatus:
    by_name = {s.name: s for s in manager.statuses}
    assert name in by_name, f"no status for {name!r}; have {sorted(by_name)}"
    return by_name[name]


def assert_builtin_works(manager: PluginManager) -> None:
    assert status_of(manager, "litellm").ok
    resolver = DependencySpec(
        class_name="litellm", properties={"model": "openai/m", "api_key": "k"}
    ).to_resolver(manager, env={})
    assert isinstance(resolver, LiteLLMResolver)
    assert resolver.get_or_resolve().model == "openai/m"


def test_good_plugin_adds_a_short_name(install: Install) -> None:
    install("llmr-test-echo", {"echo": resolver_plugin("echo", "echo-plugin")})
    manager = loaded({})
    status = status_of(manager, "echo")
    assert status.ok
    assert (status.source, status.distribution, status.hooks) == (
        "entry point",
        "llmr-test-echo",
        ["register_resolvers"],
    )
    spec = DependencySpec(class_name="echo", properties={"greeting": "hi"})
    assert spec.to_resolver(manager).get_or_resolve(Scope(org="acme")) == "hi acme from echo-plugin"
    assert_builtin_works(manager)


def test_plugin_that_fails_to_import_is_reported_and_skipped(install: Install) -> None:
    install("llmr-test-mixed", {"broken": BROKEN_IMPORT, "echo": resolver_plugin("echo", "echo-plugin")})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "broken,echo"})
    status = status_of(manager, "broken")
    assert not status.ok
    assert status.error is not None
    assert status.error.startswith("import failed: ModuleNotFoundError: No module named")
    assert "no_such_dependency_of_this_plugin" in status.error
    assert status.distribution == "llmr-test-mixed"
    assert status_of(manager, "echo").ok
    assert (
        DependencySpec(class_name="echo").to_resolver(manager).get_or_resolve() == "hello * from echo-plugin"
    )
    assert_builtin_works(manager)


def test_plugin_that_raises_while_registering_is_skipped_whole(
    install: Install, caplog: pytest.LogCaptureFixture
) -> None:
    install("llmr-test-raiser", {"raiser": RAISES_IN_REGISTER})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "raiser"})
    status = status_of(manager, "raiser")
    assert status.error is not None
    assert "register_resolvers failed: ValueError: cannot reach the licence server" in status.error
    assert "half-done" not in manager.resolvers()
    assert not manager.has_impls("before_request")  # its other hooks are out too
    assert any("raiser" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    with pytest.raises(SpecError, match="known short names: litellm"):
        DependencySpec(class_name="half-done").to_resolver(manager)
    assert_builtin_works(manager)


def test_unknown_hook_name_is_refused(install: Install) -> None:
    install("llmr-test-widgets", {"widgets": UNKNOWN_HOOK})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "widgets"})
    status = status_of(manager, "widgets")
    assert status.error is not None
    assert "unknown hook(s) ['register_widgets']" in status.error
    assert "register_resolvers" in status.error  # lists the known hooks
    assert manager.hook.register_widgets.get_hookimpls() == []
    assert_builtin_works(manager)


def test_known_hook_with_wrong_arguments_is_refused(install: Install) -> None:
    install("llmr-test-args", {"args": WRONG_ARGUMENTS})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "args"})
    status = status_of(manager, "args")
    assert status.error is not None
    assert status.error.startswith("invalid plugin:")
    assert "extra" in status.error
    assert not manager.has_impls("before_request")


def test_registering_something_that_is_not_a_class(install: Install) -> None:
    install("llmr-test-notclass", {"notclass": NOT_A_CLASS})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "notclass"})
    status = status_of(manager, "notclass")
    assert status.error is not None
    assert "resolver 'not-a-class' must be a class" in status.error


def test_two_plugins_claiming_one_name_first_keeps_it_second_is_reported(install: Install) -> None:
    install("llmr-test-beta", {"beta": resolver_plugin("shared", "beta")})
    install("llmr-test-alpha", {"alpha": resolver_plugin("shared", "alpha")})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "alpha,beta"})
    assert status_of(manager, "alpha").ok
    beta = status_of(manager, "beta")
    assert beta.error is not None
    assert "'shared' (taken by 'alpha') already registered by another plugin" in beta.error
    assert "PluginError" in beta.error
    # Not silently overwritten: the first plugin's class is the one used.
    assert DependencySpec(class_name="shared").to_resolver(manager).get_or_resolve() == "hello * from alpha"


def test_a_plugin_cannot_take_the_builtin_name(install: Install) -> None:
    install("aaa-llmr-test-hijack", {"hijack": resolver_plugin("litellm", "hijacker")})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "hijack"})
    hijack = status_of(manager, "hijack")
    assert hijack.error is not None
    assert "'litellm' (taken by 'litellm')" in hijack.error
    assert_builtin_works(manager)


def test_two_distributions_with_one_entry_point_name(install: Install) -> None:
    install("llmr-test-first", {"same": resolver_plugin("from-first", "first")})
    install("llmr-test-second", {"same": resolver_plugin("from-second", "second")})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "same"})
    statuses = {s.name: s for s in manager.statuses if s.name.startswith("same")}
    assert len(statuses) == 2, "both distributions must show up, one of them as refused"
    ok = [s for s in statuses.values() if s.ok]
    refused = [s for s in statuses.values() if not s.ok]
    assert len(ok) == 1
    assert len(refused) == 1
    assert refused[0].error is not None
    assert "another plugin is already registered as 'same'" in refused[0].error
    assert refused[0].distribution != ok[0].distribution


def test_loading_twice_changes_nothing(install: Install) -> None:
    install("llmr-test-echo", {"echo": resolver_plugin("echo", "echo-plugin"), "broken": BROKEN_IMPORT})
    manager = loaded({"LLM_RESOLVER_PLUGINS": "echo,broken"})
    before = [(s.name, s.error) for s in manager.statuses]
    manager.load_entrypoints()
    assert [(s.name, s.error) for s in manager.statuses] == before


@pytest.mark.parametrize("allow", ["echo", " echo , nothing-by-this-name "])
def test_allow_list_limits_which_plugins_load(install: Install, allow: str) -> None:
    install("llmr-test-echo", {"echo": resolver_plugin("echo", "echo-plugin"), "broken": BROKEN_IMPORT})
    install("llmr-test-other", {"other": resolver_plugin("other", "other")})
    manager = loaded({"LLM_RESOLVER_PLUGINS": allow})
    names = {s.name for s in manager.statuses}
    assert "echo" in names
    assert not names & {"broken", "other"}
    assert set(manager.resolvers()) >= {"echo", "litellm"}
    assert "other" not in manager.resolvers()


def test_empty_allow_list_loads_no_third_party_plugin_but_the_builtin_works(install: Install) -> None:
    install("llmr-test-echo", {"echo": resolver_plugin("echo", "echo-plugin"), "broken": BROKEN_IMPORT})
    manager = loaded({"LLM_RESOLVER_PLUGINS": ""})
    assert [s.name for s in manager.statuses] == ["litellm"]
    assert list(manager.resolvers()) == ["litellm"]
    assert_builtin_works(manager)


def test_without_an_allow_list_every_plugin_loads(install: Install) -> None:
    install("llmr-test-echo", {"echo": resolver_plugin("echo", "echo-plugin"), "broken": BROKEN_IMPORT})
    manager = loaded({})
    assert status_of(manager, "echo").ok
    assert not status_of(manager, "broken").ok


@pytest.mark.parametrize("flag", ["1", "true", "yes"])
def test_strict_mode_raises_on_a_broken_import(install: Install, flag: str) -> None:
    install("llmr-test-broken", {"broken": BROKEN_IMPORT})
    with pytest.raises(PluginError) as caught:
        loaded({"LLM_RESOLVER_STRICT_PLUGINS": flag, "LLM_RESOLVER_PLUGINS": "broken"})
    assert caught.value.plugin == "broken"
    assert "plugin 'broken': import failed: ModuleNotFoundError" in str(caught.value)


def test_strict_mode_raises_on_a_failed_registration_at_load_time(install: Install) -> None:
    install("llmr-test-raiser", {"raiser": RAISES_IN_REGISTER})
    with pytest.raises(PluginError, match="register_resolvers failed: ValueError: cannot reach"):
        loaded({"LLM_RESOLVER_STRICT_PLUGINS": "1", "LLM_RESOLVER_PLUGINS": "raiser"})


def test_strict_mode_raises_on_an_unknown_hook(install: Install) -> None:
    install("llmr-test-widgets", {"widgets": UNKNOWN_HOOK})
    with pytest.raises(PluginError, match=r"unknown hook\(s\) \['register_widgets'\]"):
        loaded({"LLM_RESOLVER_STRICT_PLUGINS": "1", "LLM_RESOLVER_PLUGINS": "widgets"})


def test_strict_mode_off_values(install: Install) -> None:
    install("llmr-test-broken", {"broken": BROKEN_IMPORT})
    manager = loaded({"LLM_RESOLVER_STRICT_PLUGINS": "0", "LLM_RESOLVER_PLUGINS": "broken"})
    assert not manager.strict
    assert not status_of(manager, "broken").ok


def test_the_process_environment_is_read_by_default(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    install("llmr-test-echo", {"echo": resolver_plugin("echo", "echo-plugin")})
    monkeypatch.setenv("LLM_RESOLVER_PLUGINS", "")
    monkeypatch.delenv("LLM_RESOLVER_STRICT_PLUGINS", raising=False)
    manager = PluginManager()
    manager.load_entrypoints()
    assert [s.name for s in manager.statuses] == ["litellm"]


def test_manual_registration_under_a_taken_name_keeps_the_first() -> None:
    class One:
        pass

    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    manager.register(One(), "litellm")
    statuses = {s.name: s for s in manager.statuses}
    assert statuses["litellm"].ok
    assert statuses["litellm"].source == "entry point"
    refused = statuses["litellm (manual)"]
    assert refused.error is not None
    assert "already registered as 'litellm'" in refused.error


class ToolsRaise:
    @hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        raise RuntimeError("tool catalogue unreachable")


def test_strict_mode_raises_when_a_manually_registered_plugin_fails_a_register_hook() -> None:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "", "LLM_RESOLVER_STRICT_PLUGINS": "1"})
    manager.load_entrypoints()
    with pytest.raises(PluginError, match="register_tools failed: RuntimeError: tool catalogue") as caught:
        manager.register(ToolsRaise(), "catalogue")
    assert caught.value.plugin == "catalogue"


class NewStyleWrapper:
    @hookimpl(wrapper=True)
    def before_request(self, request: Any, context: Any) -> Generator[None, Any, Any]:
        return (yield)


class OldStyleWrapper:
    @hookimpl(hookwrapper=True)
    def after_response(self, response: Any, context: Any) -> Generator[None, Any, None]:
        yield


@pytest.mark.parametrize(
    ("plugin", "hook"), [(NewStyleWrapper(), "before_request"), (OldStyleWrapper(), "after_response")]
)
def test_hook_wrappers_are_refused_at_registration(plugin: object, hook: str) -> None:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    manager.load_entrypoints()
    manager.register(plugin, "wrapping")

    status = status_of(manager, "wrapping")
    assert status.error is not None
    assert f"hook wrappers are not supported ({hook})" in status.error
    assert not manager.has_impls(hook)
    strict = PluginManager(env={"LLM_RESOLVER_PLUGINS": "", "LLM_RESOLVER_STRICT_PLUGINS": "1"})
    with pytest.raises(PluginError, match="hook wrappers are not supported"):
        strict.register(plugin, "wrapping")


def test_notify_of_an_unknown_hook_is_a_plugin_error_naming_the_hooks() -> None:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    with pytest.raises(PluginError) as caught:
        manager.notify("after_respons", response=None, context=None)
    message = str(caught.value)
    assert "no hook is named 'after_respons'; did you mean 'after_response'?" in message
    assert "on_error" in message  # lists the known hooks
    with pytest.raises(PluginError, match="no hook is named 'widgets'"):
        manager.has_impls("widgets")


def test_notify_with_arguments_the_hook_does_not_take_is_a_plugin_error() -> None:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": ""})
    with pytest.raises(
        PluginError, match=r"on_error takes the arguments \['error', 'context'\], not \['error'\]"
    ):
        manager.notify("on_error", error=ValueError("x"))


def test_the_entry_point_scan_finds_what_importlib_metadata_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It parses only the files that name the group, yet keeps importlib's rules: a distribution shadowed
    by an earlier one of its name on sys.path is left out, and the group named in a value is no group."""
    dists = [
        ("late", "llmr_test_shadow", "[llm_resolver]\nshadow = llmr_shadowed\n"),
        ("early", "llmr_test_shadow", "[console_scripts]\nshadow = llmr_shadow:main\n"),
        ("early", "llmr_test_mention", "[console_scripts]\nmention = llm_resolver.cli:main\n"),
    ]
    for where, dist, entry_points in dists:
        info = tmp_path / where / f"{dist}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(entry_points)
    monkeypatch.syspath_prepend(str(tmp_path / "late"))
    monkeypatch.syspath_prepend(str(tmp_path / "early"))
    importlib.invalidate_caches()

    expected = [(ep.name, ep.value) for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)]
    assert [(ep.name, ep.value) for ep in group_entry_points()] == expected
    assert ("litellm", "llm_resolver.builtin_plugin") in expected
    assert not {"shadow", "mention"} & {name for name, _ in expected}
