"""Images on the wire: each provider gets them in its own format; limits and capabilities are enforced
before any request."""

from __future__ import annotations

import base64
import os
import re
from typing import Any

import pytest

from llm_resolver import LiteLLM, LiteLLMResolver, LLMBadRequestError, LLMCapabilityError, Message, SpecError
from llm_resolver.testing import ProviderEmulator

from .conftest import image_bytes

PNG = image_bytes("PNG")
PNG_B64 = base64.b64encode(PNG).decode()


def make_llm(emu: ProviderEmulator, provider: str, **props: Any) -> LiteLLM:
    model, base = {
        "openai": ("openai/gpt-4o-mini", emu.openai_base),
        "anthropic": ("anthropic/claude-haiku-4-5", emu.anthropic_base),
        "gemini": ("gemini/gemini-2.5-flash", emu.gemini_base),
    }[provider]
    return LiteLLMResolver(
        model=model, api_base=base, api_key="x", env={}, max_retries=0, **props
    ).get_or_resolve()


def big_image(megabytes: float) -> bytes:
    """PNG magic and random filler: recognised as a PNG, and as large as asked."""
    return PNG[:16] + os.urandom(int(megabytes * 1024 * 1024))


def test_openai_receives_an_image_url_data_url(provider_emulator: ProviderEmulator) -> None:
    make_llm(provider_emulator, "openai").complete([Message.user("what is it?", images=[PNG], detail="high")])

    (message,) = provider_emulator.requests[-1].body["messages"]  # type: ignore[index]
    assert message["content"] == [
        {"type": "text", "text": "what is it?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}", "detail": "high"}},
    ]


def test_anthropic_receives_a_base64_image_source(provider_emulator: ProviderEmulator) -> None:
    make_llm(provider_emulator, "anthropic").complete([Message.user("what is it?", images=[PNG])])

    (message,) = provider_emulator.requests[-1].body["messages"]  # type: ignore[index]
    assert message["content"][1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64},
    }


def test_gemini_receives_inline_data(provider_emulator: ProviderEmulator) -> None:
    make_llm(provider_emulator, "gemini").complete([Message.user("what is it?", images=[PNG])])

    (content,) = provider_emulator.requests[-1].body["contents"]  # type: ignore[index]
    inline = content["parts"][1].get("inline_data") or content["parts"][1]["inlineData"]
    assert inline.get("mime_type", inline.get("mimeType")) == "image/png"
    assert inline["data"] == PNG_B64


def test_remote_urls_go_to_the_provider_unfetched(provider_emulator: ProviderEmulator) -> None:
    emu = provider_emulator
    url = f"{emu.url}/images/cat.png"  # served by nobody: fetching it would show up as a request
    allowed = {"vision": {"allow_remote": ["127.0.0.1", "example.com"]}}
    make_llm(emu, "openai", **allowed).complete([Message.user("cat?", images=[url])])
    make_llm(emu, "anthropic", **allowed).complete(
        [Message.user("cat?", images=["https://example.com/cat.png"])]
    )

    assert [r.kind for r in emu.requests] == ["chat", "chat"]
    assert emu.requests[0].body["messages"][0]["content"][1]["image_url"]["url"] == url  # type: ignore[index]
    assert emu.requests[1].body["messages"][0]["content"][1]["source"] == {  # type: ignore[index]
        "type": "url",
        "url": "https://example.com/cat.png",
    }


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
@pytest.mark.parametrize("streaming", [False, True])
def test_remote_image_urls_are_refused_unless_their_host_is_allowed(
    provider_emulator: ProviderEmulator, provider: str, streaming: bool
) -> None:
    """By default no host is: a URL in a message makes the provider, or LiteLLM inside this process
    (Gemini), fetch whatever it points at. ``.invalid`` never resolves, should anything try."""
    llm = make_llm(provider_emulator, provider)
    built = [Message.user("cat?", images=["https://img.invalid/cat.png"])]
    wire = [
        {
            "role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "https://img.invalid/cat.png"}}],
        }
    ]
    for request in (built, wire):
        with pytest.raises(
            LLMBadRequestError,
            match=r"remote image URLs on host 'img\.invalid' are not allowed; add it to the resolver's "
            r"vision\.allow_remote setting",
        ):
            llm.stream(request) if streaming else llm.complete(request)
    assert provider_emulator.request_count() == 0


def test_allow_remote_takes_exact_hosts_suffix_patterns_and_any(provider_emulator: ProviderEmulator) -> None:
    emu = provider_emulator
    llm = make_llm(emu, "openai", vision={"allow_remote": ["img.example.com", "*.cdn.example.org"]})
    for url in (
        "https://img.example.com/a.png",
        "https://IMG.example.com:8443/b.png",
        "https://eu.cdn.example.org/c.png",
        "https://a.b.cdn.example.org/d.png",
    ):
        llm.complete([Message.user("x", images=[url])])
        assert emu.requests[-1].body["messages"][0]["content"][1]["image_url"]["url"] == url  # type: ignore[index]
    for url, host in (
        ("https://example.com/a.png", "example.com"),
        ("https://img.example.com.evil.example/a.png", "img.example.com.evil.example"),
        ("https://img.example.com@evil.example/a.png", "evil.example"),
        ("https://cdn.example.org/a.png", "cdn.example.org"),
        ("http://127.0.0.1:8080/a.png", "127.0.0.1"),
    ):
        with pytest.raises(LLMBadRequestError, match=f"on host {re.escape(repr(host))} are not allowed"):
            llm.complete([Message.user("x", images=[url])])
    with pytest.raises(LLMBadRequestError, match="host cannot be read as a plain host name"):
        llm.complete([Message.user("x", images=["https://evil.example\\@img.example.com/a.png"])])
    assert emu.request_count() == 4

    make_llm(emu, "openai", vision={"allow_remote": ["*"]}).complete(
        [Message.user("x", images=["https://anything.example/a.png"])]
    )
    assert emu.request_count() == 5


@pytest.mark.parametrize(
    ("vision", "problem"),
    [
        ({"allow_remote": ["https://img.example.com"]}, "is not a host entry"),
        ({"allow_remote": ["img.example.com/cats"]}, "is not a host entry"),
        ({"allow_remote": ["img.*.com"]}, "is not a host entry"),
        ({"allow_remote": "img.example.com"}, "allow_remote"),
        ({"allow_hosts": ["img.example.com"]}, "allow_hosts"),
    ],
)
def test_bad_vision_settings_are_spec_errors(vision: dict[str, Any], problem: str) -> None:
    with pytest.raises(SpecError, match="vision") as caught:
        LiteLLMResolver(model="openai/gpt-4o-mini", api_key="x", env={}, vision=vision)
    assert problem in str(caught.value)


@pytest.mark.parametrize("streaming", [False, True])
def test_images_to_a_text_only_model_fail_before_any_request(
    provider_emulator: ProviderEmulator, streaming: bool
) -> None:
    llm = LiteLLMResolver(
        model="openai/gpt-3.5-turbo", api_base=provider_emulator.openai_base, api_key="x", env={}
    ).get_or_resolve()
    request = [Message.user("what is it?", images=[PNG])]

    with pytest.raises(LLMCapabilityError, match=r"openai/gpt-3\.5-turbo does not accept images"):
        llm.stream(request) if streaming else llm.complete(request)
    assert provider_emulator.request_count() == 0
    llm.complete("text alone is fine")
    assert provider_emulator.request_count() == 1


def test_model_info_overrides_the_map_on_vision(provider_emulator: ProviderEmulator) -> None:
    """A self-hosted fine-tune LiteLLM maps as text-only can be declared vision-capable, and back."""
    request = [Message.user("what is it?", images=[PNG])]
    declared = LiteLLMResolver(
        model="openai/gpt-3.5-turbo",
        api_base=provider_emulator.openai_base,
        api_key="x",
        model_info={"openai/gpt-3.5-turbo": {"supports_vision": True}},
        env={},
    ).get_or_resolve()
    declared.complete(request)
    assert provider_emulator.request_count() == 1

    denied = LiteLLMResolver(
        model="openai/gpt-4o-mini",
        api_base=provider_emulator.openai_base,
        api_key="x",
        model_info={"openai/gpt-4o-mini": {"supports_vision": False}},
        env={},
    ).get_or_resolve()
    with pytest.raises(LLMCapabilityError, match="set model_info"):
        denied.complete(request)
    assert provider_emulator.request_count() == 1


def test_each_providers_limits_apply_before_any_request(provider_emulator: ProviderEmulator) -> None:
    emu = provider_emulator
    six_mb = big_image(6)
    gif = image_bytes("GIF")

    with pytest.raises(LLMBadRequestError, match=r"is 6.0 MB, over the 5 MB allowed per image for anthropic"):
        make_llm(emu, "anthropic").complete([Message.user("x", images=[six_mb])])
    with pytest.raises(LLMBadRequestError, match=r"image/gif, not a format allowed for gemini"):
        make_llm(emu, "gemini").complete([Message.user("x", images=[gif])])
    allowed = {"vision": {"allow_remote": ["example.com"]}}
    with pytest.raises(LLMBadRequestError, match="only https image URLs are allowed for anthropic"):
        make_llm(emu, "anthropic", **allowed).complete(
            [Message.user("x", images=["http://example.com/cat.png"])]
        )
    with pytest.raises(LLMBadRequestError, match="allowed for gemini only when their path ends in"):
        make_llm(emu, "gemini", **allowed).complete(
            [Message.user("x", images=["https://example.com/render?id=3"])]
        )
    with pytest.raises(LLMBadRequestError, match=r"carries 22.0 MB of inline images, over the 20 MB allowed"):
        make_llm(emu, "gemini").complete([Message.user("x", images=[big_image(11), big_image(11)])])
    assert emu.request_count() == 0

    make_llm(emu, "openai").complete([Message.user("x", images=[six_mb, gif])])
    assert emu.request_count() == 1


def test_a_fallback_chain_is_held_to_the_strictest_limits(provider_emulator: ProviderEmulator) -> None:
    emu = provider_emulator
    llm = make_llm(
        emu,
        "openai",
        fallback_models=[
            {"model": "anthropic/claude-haiku-4-5", "api_base": emu.anthropic_base, "api_key": "x"}
        ],
    )
    with pytest.raises(LLMBadRequestError, match="over the 5 MB allowed per image for anthropic\\+openai"):
        llm.complete([Message.user("x", images=[big_image(6)])])
    assert emu.request_count() == 0
