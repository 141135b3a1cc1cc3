"""Content loaders from plugins: deferred sources loaded just before the request, with the limits of
every model the request may reach; failures are typed errors raised before any request."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from llm_resolver import (
    ContentLoader,
    ImagePart,
    LiteLLM,
    LiteLLMResolver,
    LLMBadRequestError,
    LoadContext,
    Message,
    PluginError,
    TextPart,
    hookimpl,
)
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator
from llm_resolver.vision.registry import content_loaders

from .conftest import image_bytes

PNG_URL = "data:image/png;base64," + base64.b64encode(image_bytes()).decode()


@dataclass
class Sketch:
    """A source only the test loader understands."""

    title: str
    fail: bool = False
    size: int = 0


class SketchLoader:
    name = "sketch"

    def __init__(self) -> None:
        self.contexts: list[LoadContext] = []

    def accepts(self, source: object) -> bool:
        return isinstance(source, Sketch)

    def load(self, source: object, context: LoadContext) -> Sequence[TextPart | ImagePart]:
        assert isinstance(source, Sketch)
        self.contexts.append(context)
        if source.fail:
            raise ValueError("the sketch is smudged")
        if source.size:
            return [ImagePart(url="data:image/png;base64," + "A" * (source.size * 4 // 3))]
        return [TextPart(text=f"[sketch: {source.title}]"), ImagePart(url=PNG_URL)]


class SketchPlugin:
    def __init__(self, loader: Any) -> None:
        self.loader = loader

    @hookimpl
    def register_content_loaders(self, register: Callable[[Any], None]) -> None:
        register(self.loader)


@pytest.fixture
def loader() -> SketchLoader:
    return SketchLoader()


@pytest.fixture
def plugins(bare_plugins: PluginManager, loader: SketchLoader) -> PluginManager:
    bare_plugins.register(SketchPlugin(loader), "sketches")
    return bare_plugins


def openai(emu: ProviderEmulator, plugins: PluginManager, **props: Any) -> LiteLLM:
    return LiteLLMResolver(
        model="openai/gpt-4o-mini", api_base=emu.openai_base, api_key="x", env={}, plugins=plugins, **props
    ).get_or_resolve()


def test_the_loader_contract_is_a_runtime_checkable_protocol(loader: SketchLoader) -> None:
    assert isinstance(loader, ContentLoader)
    assert not isinstance(object(), ContentLoader)


def test_deferred_sources_are_loaded_before_the_request(
    provider_emulator: ProviderEmulator, plugins: PluginManager, loader: SketchLoader
) -> None:
    message = Message.user("what is drawn?", images=[Sketch("a house")], detail="high")

    openai(provider_emulator, plugins).complete([message])

    (sent,) = provider_emulator.requests[-1].body["messages"]  # type: ignore[index]
    assert sent["content"] == [
        {"type": "text", "text": "what is drawn?"},
        {"type": "text", "text": "[sketch: a house]"},
        {"type": "image_url", "image_url": {"url": PNG_URL, "detail": "high"}},
    ]
    (context,) = loader.contexts
    assert (context.limits.provider, context.limits.max_side, context.detail) == ("openai", 2048, "high")
    assert context.models == ("openai/gpt-4o-mini",)
    # The caller's message is untouched: it still holds the source, not what was loaded from it.
    assert [part.source for part in message.deferred] == [Sketch("a house")]


@pytest.mark.usefixtures("litellm_async_clients")
async def test_streams_and_async_calls_load_them_too(
    provider_emulator: ProviderEmulator, plugins: PluginManager, loader: SketchLoader
) -> None:
    llm = openai(provider_emulator, plugins)
    await llm.acomplete([Message.user("a?", images=[Sketch("a")])])
    with llm.stream([Message.user("b?", images=[Sketch("b")], detail="low")]) as stream:
        assert "".join(chunk.text for chunk in stream)
    assert [c.detail for c in loader.contexts] == ["auto", "low"]
    assert loader.contexts[1].max_side == 512
    texts = [r.body["messages"][0]["content"][1]["text"] for r in provider_emulator.requests]  # type: ignore[index]
    assert texts == ["[sketch: a]", "[sketch: b]"]


def test_remote_urls_a_loader_returns_are_held_to_allow_remote(
    provider_emulator: ProviderEmulator, bare_plugins: PluginManager
) -> None:
    class LinkLoader:
        name = "link"

        def accepts(self, source: object) -> bool:
            return isinstance(source, Sketch)

        def load(self, source: object, context: LoadContext) -> Sequence[TextPart | ImagePart]:
            return [ImagePart(url="https://sketches.invalid/house.png")]

    bare_plugins.register(SketchPlugin(LinkLoader()), "links")
    with pytest.raises(LLMBadRequestError, match=r"host 'sketches\.invalid' are not allowed"):
        openai(provider_emulator, bare_plugins).complete([Message.user("x", images=[Sketch("s")])])
    assert provider_emulator.request_count() == 0

    allowed = openai(provider_emulator, bare_plugins, vision={"allow_remote": ["sketches.invalid"]})
    allowed.complete([Message.user("x", images=[Sketch("s")])])
    assert provider_emulator.request_count() == 1


def test_loaders_see_the_strictest_limits_of_the_fallback_chain(
    provider_emulator: ProviderEmulator, plugins: PluginManager, loader: SketchLoader
) -> None:
    emu = provider_emulator
    llm = openai(
        emu,
        plugins,
        fallback_models=[
            {"model": "anthropic/claude-haiku-4-5", "api_base": emu.anthropic_base, "api_key": "x"}
        ],
    )
    llm.complete([Message.user("x", images=[Sketch("s")])])

    limits = loader.contexts[0].limits
    assert (limits.provider, limits.max_bytes, limits.max_side) == ("anthropic+openai", 5 * 1024 * 1024, 1568)

    with pytest.raises(LLMBadRequestError, match="over the 5 MB allowed per image for anthropic\\+openai"):
        llm.complete([Message.user("x", images=[Sketch("big", size=6 * 1024 * 1024)])])
    assert emu.request_count() == 1


def test_a_source_no_loader_accepts_names_the_loaders(
    provider_emulator: ProviderEmulator, plugins: PluginManager
) -> None:
    llm = openai(provider_emulator, plugins)
    with pytest.raises(LLMBadRequestError) as caught:
        llm.complete([Message.user("x", images=[{"not": "an image"}])])
    assert "no content loader accepts a builtins.dict (loaders: sketches.sketch)" in str(caught.value)

    bare = openai(provider_emulator, PluginManager(env={"LLM_RESOLVER_PLUGINS": ""}))
    with pytest.raises(LLMBadRequestError, match="loaders: none are installed"):
        bare.complete([Message.user("x", images=[b"%PDF-1.7"])])
    with pytest.raises(LLMBadRequestError, match=r"no content loader accepts bytes starting b'%PDF-1\.7'"):
        bare.complete([Message.user("x", images=[b"%PDF-1.7"])])
    assert provider_emulator.request_count() == 0


def test_a_loader_that_fails_is_a_bad_request_naming_it(
    provider_emulator: ProviderEmulator, plugins: PluginManager
) -> None:
    with pytest.raises(LLMBadRequestError) as caught:
        openai(provider_emulator, plugins).complete([Message.user("x", images=[Sketch("s", fail=True)])])
    assert str(caught.value) == (
        "content loader 'sketches.sketch' could not load a "
        f"{Sketch.__module__}.Sketch: ValueError: the sketch is smudged"
    )
    assert isinstance(caught.value.__cause__, ValueError)
    assert provider_emulator.request_count() == 0


def test_a_loader_returning_something_else_is_a_plugin_error(
    provider_emulator: ProviderEmulator, bare_plugins: PluginManager
) -> None:
    class Wrong(SketchLoader):
        def load(self, source: object, context: LoadContext) -> Sequence[Any]:
            return [{"type": "text", "text": "a dict, not a part"}]

    bare_plugins.register(SketchPlugin(Wrong()), "wrong")
    with pytest.raises(PluginError, match=r"content loader 'wrong\.sketch' returned a dict") as caught:
        openai(provider_emulator, bare_plugins).complete([Message.user("x", images=[Sketch("s")])])
    assert caught.value.plugin == "wrong"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (object(), "a content loader needs a non-empty str `name`"),
        (type("NoLoad", (), {"name": "noload", "accepts": lambda self, s: True})(), "lacks load()"),
    ],
)
def test_malformed_loaders_fail_their_plugin(bare_plugins: PluginManager, bad: Any, message: str) -> None:
    bare_plugins.register(SketchPlugin(bad), "broken")
    bare_plugins.register(SketchPlugin(SketchLoader()), "fine")

    assert list(content_loaders(bare_plugins)) == ["fine.sketch"]
    status = {s.name: s for s in bare_plugins.statuses}["broken"]
    assert status.error is not None
    assert message in status.error


def test_two_loaders_from_one_plugin_need_two_names(bare_plugins: PluginManager) -> None:
    class Twice:
        @hookimpl
        def register_content_loaders(self, register: Callable[[Any], None]) -> None:
            register(SketchLoader())
            register(SketchLoader())

    bare_plugins.register(Twice(), "twice")
    assert content_loaders(bare_plugins) == {}
    assert "content loader 'twice.sketch' registered twice" in str(
        {s.name: s for s in bare_plugins.statuses}["twice"].error
    )
