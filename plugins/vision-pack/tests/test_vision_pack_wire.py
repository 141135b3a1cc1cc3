"""The pack as users meet it: the installed ``vision`` plugin loads PIL images, arrays and PDFs that
reach each provider, over real HTTP, fitted to that provider."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from llm_resolver import LiteLLM, LiteLLMResolver, Message
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.testing import ProviderEmulator
from llm_resolver.vision.registry import content_loaders

from .conftest import make_pdf


@pytest.fixture
def vision() -> PluginManager:
    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "vision"})
    manager.load_entrypoints()
    return manager


def make_llm(emu: ProviderEmulator, plugins: PluginManager, provider: str) -> LiteLLM:
    model, base = {
        "openai": ("openai/gpt-4o-mini", emu.openai_base),
        "anthropic": ("anthropic/claude-haiku-4-5", emu.anthropic_base),
        "gemini": ("gemini/gemini-2.5-flash", emu.gemini_base),
    }[provider]
    return LiteLLMResolver(model=model, api_base=base, api_key="x", env={}, plugins=plugins).get_or_resolve()


def image_of(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def test_the_plugin_registers_three_loaders(vision: PluginManager) -> None:
    assert list(content_loaders(vision)) == ["vision.pil", "vision.numpy", "vision.pdf"]
    (status,) = [s for s in vision.statuses if s.name == "vision"]
    assert status.ok
    assert status.distribution == "llm-resolver-vision-pack"


def test_a_large_pil_image_reaches_anthropic_within_its_limits(
    provider_emulator: ProviderEmulator, vision: PluginManager
) -> None:
    photo = Image.new("RGB", (3000, 2000), (20, 40, 60))
    make_llm(provider_emulator, vision, "anthropic").complete([Message.user("describe", images=[photo])])

    (message,) = provider_emulator.requests[-1].body["messages"]  # type: ignore[index]
    source = message["content"][1]["source"]
    assert (source["type"], source["media_type"]) == ("base64", "image/png")
    sent = image_of(source["data"])
    assert sent.size == (1568, 1045)
    assert sent.getpixel((10, 10)) == (20, 40, 60)


def test_an_array_reaches_gemini_as_inline_data(
    provider_emulator: ProviderEmulator, vision: PluginManager
) -> None:
    heatmap = np.linspace(0.0, 1.0, 50 * 80).reshape(50, 80)
    make_llm(provider_emulator, vision, "gemini").complete([Message.user("trend?", images=[heatmap])])

    (content,) = provider_emulator.requests[-1].body["contents"]  # type: ignore[index]
    inline = content["parts"][1].get("inline_data") or content["parts"][1]["inlineData"]
    sent = image_of(inline["data"])
    assert (sent.size, sent.mode) == ((80, 50), "L")
    assert sent.getpixel((0, 0)) == 0
    assert sent.getpixel((79, 49)) == 255


def test_a_pdf_reaches_openai_as_labelled_pages(
    provider_emulator: ProviderEmulator, vision: PluginManager, tmp_path: Path
) -> None:
    path = tmp_path / "deck.pdf"
    path.write_bytes(make_pdf(["red", "blue"]))
    make_llm(provider_emulator, vision, "openai").complete([Message.user("summarise", images=[str(path)])])

    (message,) = provider_emulator.requests[-1].body["messages"]  # type: ignore[index]
    kinds = [(p["type"], p.get("text")) for p in message["content"]]
    assert kinds == [
        ("text", "summarise"),
        ("text", "[PDF page 1 of 2]"),
        ("image_url", None),
        ("text", "[PDF page 2 of 2]"),
        ("image_url", None),
    ]
    second = message["content"][4]["image_url"]["url"]
    assert second.startswith("data:image/png;base64,")
    red, green, blue = image_of(second.split(",", 1)[1]).convert("RGB").getpixel((50, 50))  # type: ignore[misc]
    assert red <= 3
    assert green <= 3
    assert blue >= 250
