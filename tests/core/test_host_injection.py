"""Host injection: Dependencies loaded from YAML/JSON/dict, handlers marked with depends_on, and the
injected LLM used from many threads and tasks at once."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from llm_resolver import (
    Dependencies,
    DependencySpec,
    LiteLLM,
    LiteLLMResolver,
    Scope,
    SpecError,
    depends_on,
    hookimpl,
)
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator, Reply

from .conftest import PLAIN_SECRET

YAML_TEXT = """
dependencies:
  llm:
    class_name: litellm
    properties:
      model: openai/gpt-4o-mini
      api_base: ${BASE}
      api_key: ${KEY}
      timeout: 7
  judge:
    class_name: litellm
    properties:
      model: anthropic/claude-haiku-4-5
"""


def as_dict(base: str = "http://127.0.0.1:9/v1") -> dict[str, Any]:
    return {
        "llm": {
            "class_name": "litellm",
            "properties": {"model": "openai/gpt-4o-mini", "api_base": base, "api_key": "${KEY}"},
        },
        "judge": {"class_name": "litellm", "properties": {"model": "anthropic/claude-haiku-4-5"}},
    }


ENV = {"BASE": "http://127.0.0.1:9/v1", "KEY": PLAIN_SECRET, "ANTHROPIC_API_KEY": "judge-key"}


def check_loaded(deps: Dependencies) -> None:
    assert sorted(deps.specs) == ["judge", "llm"]
    assert all(isinstance(s, DependencySpec) and s.class_name == "litellm" for s in deps.specs.values())
    llm = deps.get("llm", Scope(org="acme"))
    assert isinstance(llm, LiteLLM)
    assert llm.model == "openai/gpt-4o-mini"
    assert llm.scope == Scope(org="acme")
    assert llm.config.api_key is not None
    assert llm.config.api_key.get_secret_value() == PLAIN_SECRET
    assert deps.get("judge").model == "anthropic/claude-haiku-4-5"


def test_from_yaml_text(builtin_plugins: PluginManager) -> None:
    deps = Dependencies.from_yaml(YAML_TEXT, plugins=builtin_plugins, env=ENV)
    check_loaded(deps)
    assert deps.get("llm").config.timeout == 7.0


def test_from_yaml_file_as_path_and_as_str(tmp_path: Path, builtin_plugins: PluginManager) -> None:
    path = tmp_path / "deps.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    check_loaded(Dependencies.from_yaml(path, plugins=builtin_plugins, env=ENV))
    check_loaded(Dependencies.from_yaml(str(path), plugins=builtin_plugins, env=ENV))


def test_from_json_text_and_file(tmp_path: Path, builtin_plugins: PluginManager) -> None:
    text = json.dumps({"dependencies": as_dict(base="http://localhost.localdomain:9/openai/v1")})
    assert len(text) > 255  # longer than a file name may be: must still be read as text
    check_loaded(Dependencies.from_json(text, plugins=builtin_plugins, env=ENV))
    path = tmp_path / "deps.json"
    path.write_text(json.dumps(as_dict(), indent=2), encoding="utf-8")
    check_loaded(Dependencies.from_json(path, plugins=builtin_plugins, env=ENV))
    check_loaded(Dependencies.from_json(str(path), plugins=builtin_plugins, env=ENV))


@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "under-dependencies"])
def test_from_dict(wrapped: bool, builtin_plugins: PluginManager) -> None:
    data = {"dependencies": as_dict()} if wrapped else as_dict()
    check_loaded(Dependencies.from_dict(data, plugins=builtin_plugins, env=ENV))


@pytest.mark.parametrize("loader", ["from_yaml", "from_json"])
def test_a_missing_spec_file_is_named(loader: str) -> None:
    with pytest.raises(SpecError, match=r"cannot read 'configs/missing\.(yaml|json)' \(No such file"):
        getattr(Dependencies, loader)(f"configs/missing.{loader[5:]}")


@pytest.mark.parametrize(
    ("loader", "text", "expected"),
    [
        ("from_yaml", "llm: [unclosed\n", "not valid YAML (line"),
        ("from_json", '{"llm": }', "not valid JSON (Expecting value at line 1, column 9)"),
        ("from_yaml", "- just\n- a list\n", "expected a mapping of name → spec, got list"),
        ("from_json", "[1, 2]", "expected a mapping of name → spec, got list"),
        ("from_yaml", "llm: litellm\n", "llm: expected a mapping with class_name and properties, not a str"),
        ("from_yaml", "llm:\n  class: litellm\n", "llm.class_name: Field required; llm.class:"),
        ("from_yaml", "llm:\n  class_name: litellm\n  properties: [1]\n", "llm.properties: Input should be"),
    ],
)
def test_bad_dependency_documents(loader: str, text: str, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        getattr(Dependencies, loader)(text)
    assert expected in str(caught.value)


def test_unknown_dependency_name_lists_the_declared_ones() -> None:
    deps = Dependencies.from_dict(as_dict())
    with pytest.raises(SpecError, match="no dependency named 'llmm'; declared: judge, llm"):
        deps.get("llmm")


def make_deps(emu: ProviderEmulator, plugins: PluginManager, class_name: str = "litellm") -> Dependencies:
    props = {"model": "openai/gpt-4o-mini", "api_base": emu.openai_base, "api_key": "${KEY}"}
    return Dependencies.from_dict(
        {"llm": {"class_name": class_name, "properties": props}}, plugins=plugins, env={"KEY": "x"}
    )


@depends_on("llm")
def answer(question: str, llm: LiteLLM) -> str:
    return llm.complete(question).text


@depends_on("llm")
async def aanswer(question: str, llm: LiteLLM) -> str:
    return (await llm.acomplete(question)).text


class Agent:
    def __init__(self, name: str) -> None:
        self.name = name

    @depends_on("llm")
    def handle(self, question: str, llm: LiteLLM) -> str:
        return f"{self.name}: {llm.complete(question).text}"

    @depends_on("llm")
    async def ahandle(self, question: str, *, llm: LiteLLM) -> str:
        return f"{self.name}: {(await llm.acomplete(question)).text}"


def test_call_injects_into_a_sync_function(emu: ProviderEmulator, builtin_plugins: PluginManager) -> None:
    emu.script(Reply(text="forty-two"))
    assert make_deps(emu, builtin_plugins).call(answer, "meaning?") == "forty-two"
    assert emu.requests[-1].body is not None
    assert emu.requests[-1].body["messages"][-1]["content"] == "meaning?"


def test_call_injects_into_a_method(emu: ProviderEmulator, builtin_plugins: PluginManager) -> None:
    assert make_deps(emu, builtin_plugins).call(Agent("bob").handle, "hi") == "bob: echo: hi"


@pytest.mark.usefixtures("litellm_async_clients")
async def test_acall_awaits_async_functions_and_methods(
    emu: ProviderEmulator, builtin_plugins: PluginManager
) -> None:
    deps = make_deps(emu, builtin_plugins)
    assert await deps.acall(aanswer, "one") == "echo: one"
    assert await deps.acall(Agent("amy").ahandle, "two") == "amy: echo: two"


async def test_acall_runs_a_sync_handler_too(emu: ProviderEmulator, builtin_plugins: PluginManager) -> None:
    assert await make_deps(emu, builtin_plugins).acall(answer, "sync") == "echo: sync"


def test_injection_uses_the_scope_given(emu: ProviderEmulator, builtin_plugins: PluginManager) -> None:
    deps = make_deps(emu, builtin_plugins)

    @depends_on("llm")
    def which(llm: LiteLLM) -> LiteLLM:
        return llm

    acme = deps.call(which, scope=Scope(org="acme"))
    assert acme.scope == Scope(org="acme")
    assert deps.call(which, scope=Scope(org="acme")) is acme
    assert deps.call(which) is deps.get("llm", Scope())
    assert deps.call(which) is not acme


class Stub:
    def complete(self, question: str) -> Any:
        return type("R", (), {"text": f"stub: {question}"})()


def test_given_arguments_override_injection() -> None:
    # "nope" cannot be resolved: the calls below only work because nothing is injected.
    deps = Dependencies.from_dict({"llm": {"class_name": "nope"}})
    assert deps.call(answer, "q", llm=Stub()) == "stub: q"
    assert deps.call(answer, "q", Stub()) == "stub: q"
    assert deps.call(Agent("x").handle, "q", llm=Stub()) == "x: stub: q"
    with pytest.raises(SpecError, match="unknown resolver 'nope'"):
        deps.call(answer, "q")


async def test_given_arguments_override_injection_async() -> None:
    deps = Dependencies.from_dict({"llm": {"class_name": "nope"}})

    @depends_on("llm")
    async def handler(llm: Any) -> str:
        return str(llm.complete("q").text)

    assert await deps.acall(handler, llm=Stub()) == "stub: q"


def test_handler_depending_on_an_undeclared_name() -> None:
    deps = Dependencies.from_dict(as_dict())

    @depends_on("llm", "vision")
    def handler(llm: Any, vision: Any) -> None:
        raise AssertionError("must not run")

    with pytest.raises(SpecError) as caught:
        deps.call(handler)
    assert caught.value.field == "vision"
    assert "depends on 'vision', which is not declared; declared: judge, llm" in str(caught.value)


def test_an_undeclared_dependency_may_be_passed_by_the_caller(builtin_plugins: PluginManager) -> None:
    deps = Dependencies.from_dict(as_dict(), plugins=builtin_plugins, env=ENV)

    @depends_on("llm", "vision")
    def handler(llm: Any, vision: Any) -> tuple[str, Any]:
        return llm.model, vision

    assert deps.call(handler, vision="own") == ("openai/gpt-4o-mini", "own")


def test_handler_without_the_parameter() -> None:
    deps = Dependencies.from_dict(as_dict())

    @depends_on("llm")
    def handler(model: Any) -> None:
        raise AssertionError("must not run")

    for run in (lambda: deps.call(handler, 1), lambda: asyncio.run(deps.acall(handler, 1))):
        with pytest.raises(SpecError, match="depends on 'llm' but has no parameter of that name; add one"):
            run()


def test_handler_taking_kwargs_gets_the_dependency(builtin_plugins: PluginManager) -> None:
    deps = Dependencies.from_dict(as_dict(), plugins=builtin_plugins, env=ENV)

    @depends_on("judge")
    def handler(**kwargs: Any) -> list[str]:
        return sorted(kwargs)

    assert deps.call(handler) == ["judge"]


def test_depends_on_stacks_and_refuses_non_names() -> None:
    @depends_on("judge")
    @depends_on("llm")
    def handler(llm: Any, judge: Any) -> tuple[Any, Any]:
        return llm, judge

    deps = Dependencies.from_dict(as_dict(), env=ENV)
    llm, judge = deps.call(handler)
    assert (llm.model, judge.model) == ("openai/gpt-4o-mini", "anthropic/claude-haiku-4-5")
    with pytest.raises(TypeError, match="parameter names"):
        depends_on("not a name")
    with pytest.raises(TypeError, match="parameter names"):
        depends_on(3)  # type: ignore[arg-type]


class CountingLiteLLMResolver(LiteLLMResolver):
    """The built-in resolver, counting how often each scope was resolved."""

    def __init__(self, **properties: Any) -> None:
        super().__init__(**properties)
        self.counts: Counter[Scope] = Counter()
        self._count_lock = threading.Lock()

    def resolve(self, scope: Scope) -> LiteLLM:
        with self._count_lock:
            self.counts[scope] += 1
        return super().resolve(scope)


class CountingPlugin:
    @hookimpl
    def register_resolvers(self, register: Callable[[str, type], None]) -> None:
        register("counting", CountingLiteLLMResolver)


@pytest.fixture
def counting_plugins(builtin_plugins: PluginManager) -> PluginManager:
    builtin_plugins.register(CountingPlugin(), "counting")
    return builtin_plugins


SCOPES = [Scope(org="acme", agent="a"), Scope(org="acme", agent="b")]


def test_eight_threads_share_one_llm_per_scope(
    emu: ProviderEmulator, counting_plugins: PluginManager
) -> None:
    deps = make_deps(emu, counting_plugins, "counting")
    # LiteLLM caches one HTTP client per endpoint but races to create it: eight first calls at once
    # would build eight and leave seven unclosed. One call first fills its cache.
    make_deps(emu, counting_plugins).get("llm", Scope(org="warm-up")).complete("warm up")
    start = threading.Barrier(8)

    @depends_on("llm")
    def handler(i: int, llm: LiteLLM) -> tuple[int, int, str]:
        return i, id(llm), llm.complete(f"q{i}").text

    def run(i: int) -> tuple[int, int, str]:
        start.wait()
        return deps.call(handler, i, scope=SCOPES[i % 2])

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(8)))
    assert [text for _, _, text in results] == [f"echo: q{i}" for i in range(8)]
    assert len({llm_id for _, llm_id, _ in results}) == 2
    resolver = deps.resolver("llm")
    assert isinstance(resolver, CountingLiteLLMResolver)
    assert resolver.counts == Counter(dict.fromkeys(SCOPES, 1))
    assert emu.request_count() == 1 + 8


@pytest.mark.usefixtures("litellm_async_clients")
async def test_hundred_tasks_share_one_llm_per_scope(
    emu: ProviderEmulator, counting_plugins: PluginManager
) -> None:
    deps = make_deps(emu, counting_plugins, "counting")

    @depends_on("llm")
    async def handler(i: int, llm: LiteLLM) -> tuple[int, str]:
        return id(llm), (await llm.acomplete(f"t{i}")).text

    results = await asyncio.gather(*(deps.acall(handler, i, scope=SCOPES[i % 2]) for i in range(100)))
    assert [text for _, text in results] == [f"echo: t{i}" for i in range(100)]
    assert len({llm_id for llm_id, _ in results}) == 2
    resolver = deps.resolver("llm")
    assert isinstance(resolver, CountingLiteLLMResolver)
    assert resolver.counts == Counter(dict.fromkeys(SCOPES, 1))
    assert emu.request_count() == 100
