"""``Message.user(text, images=[...])``: the sources every install understands, and the ones it defers."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError

from llm_resolver import ImagePart, LLMBadRequestError, Message, TextPart

from .conftest import image_bytes


@pytest.mark.parametrize(
    ("format", "media_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_files_and_bytes_become_data_urls(tmp_path: Path, format: str, media_type: str) -> None:
    data = image_bytes(format)
    path = tmp_path / "picture.bin"  # the content decides the type, not the extension
    path.write_bytes(data)

    for source in (path, str(path), data, bytearray(data)):
        message = Message.user("look", images=[source], detail="low")
        text, image = message.content  # type: ignore[misc]
        assert text == TextPart(text="look")
        assert isinstance(image, ImagePart)
        assert image.url == f"data:{media_type};base64,{base64.b64encode(data).decode()}"
        assert image.media_type == media_type
        assert image.detail == "low"


def test_urls_are_kept_as_urls_and_one_source_needs_no_list() -> None:
    data_url = "data:image/png;base64," + base64.b64encode(image_bytes()).decode()
    message = Message.user("two", images=["https://example.com/cat.png", data_url])
    assert [p.url for p in message.images] == ["https://example.com/cat.png", data_url]
    assert Message.user("one", images="http://example.com/a.jpg").images[0].url == "http://example.com/a.jpg"
    assert Message.user("none", images=[]).content == "none"
    assert Message.user("none").content == "none"


def test_sources_nobody_built_in_understands_are_deferred(tmp_path: Path) -> None:
    class Sketch:
        pass

    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    sketch = Sketch()
    message = Message.user(
        "see",
        images=[sketch, notes, b"%PDF-1.7 ...", "gs://bucket/cat.png", "data:application/pdf;base64,JVBE"],
    )

    deferred = message.deferred
    assert [d.source for d in deferred] == [
        sketch,
        notes,
        b"%PDF-1.7 ...",
        "gs://bucket/cat.png",
        "data:application/pdf;base64,JVBE",
    ]
    assert message.images == []
    assert repr(deferred[0]).startswith("DeferredPart(source=<")
    assert repr(deferred[0]).endswith("<locals>.Sketch>, detail='auto')")
    with pytest.raises(LLMBadRequestError, match="has not been loaded yet"):
        message.to_openai()
    assert Message.user("x", images=[deferred[0]]).deferred == [deferred[0]]


def test_a_str_path_to_a_text_file_is_deferred_as_that_path(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    (part,) = Message.user("x", images=[str(notes)]).deferred
    assert part.source == notes


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("no/such/file.png", "image 'no/such/file.png' is not a file, a data URL or an http(s) URL"),
        ("x" * 5000, "is not a file, a data URL or an http(s) URL"),
        ("bad\x00name.png", "is not a file"),
        (b"", "the image is empty"),
        ("data:image/png,not-base64", "a data URL must look like data:image/png;base64,<payload>"),
        (
            "data:image/tiff;base64,SUkqAA==",
            "image/tiff, not a format allowed by default (image/gif, image/jpeg, image/png, image/webp)",
        ),
    ],
)
def test_bad_sources_fail_at_once(source: object, message: str) -> None:
    with pytest.raises(LLMBadRequestError, match=message.replace("(", "\\(").replace(")", "\\)")):
        Message.user("x", images=[source])


def test_a_directory_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(LLMBadRequestError, match="is not a file"):
        Message.user("x", images=[tmp_path])


def test_image_files_over_the_limit_are_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    with huge.open("wb") as f:
        f.write(image_bytes()[:16])
        f.truncate(21 * 1024 * 1024)  # sparse: the size is there, the bytes are never written or read
    with pytest.raises(LLMBadRequestError, match=r"huge.png' is 21.0 MB, over the 20 MB limit"):
        Message.user("x", images=[huge])
    with pytest.raises(LLMBadRequestError, match=r"the image is 21.0 MB"):
        Message.user("x", images=[image_bytes()[:16] + bytes(21 * 1024 * 1024)])


def test_image_parts_accept_only_data_and_http_urls() -> None:
    with pytest.raises(ValidationError, match="not a data URL or an http\\(s\\) URL"):
        ImagePart(url="/etc/passwd")
    with pytest.raises(ValidationError, match="not a data URL"):
        Message.model_validate(
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}]}
        )
    wire = Message.model_validate(
        {
            "role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "https://x.io/a.png", "detail": "high"}}],
        }
    )
    assert wire.images == [ImagePart(url="https://x.io/a.png", detail="high")]
    assert wire.to_openai()["content"] == [
        {"type": "image_url", "image_url": {"url": "https://x.io/a.png", "detail": "high"}}
    ]


def test_long_data_urls_are_shortened_in_reprs() -> None:
    part = ImagePart(url="data:image/png;base64," + "A" * 1000)
    assert (
        repr(part)
        == "ImagePart(url='data:image/png;base64,AAAAAAAAAAAAAAAAAAAAAAAAAA...(1022 chars)', detail='auto')"
    )
    assert Message.user("x", images=[part]).content[1] is part  # type: ignore[index]
