"""Finding the JSON in a reply."""

from __future__ import annotations

import pytest

from llm_resolver.structured import extract_json


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": 1}', {"a": 1}),
        ('  \n{"a": 1}\n ', {"a": 1}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('```\n{"a": 1}\n```', {"a": 1}),
        ('```JSON {"a": 1}```', {"a": 1}),
        ('Here you go:\n```json\n{"a": [1, 2]}\n```\nDone.', {"a": [1, 2]}),
        ('The result: {"a": {"b": "}"}} -- ok', {"a": {"b": "}"}}),
        ("[1, 2, 3]", [1, 2, 3]),
        ('{not json} but then {"a": 2}', {"a": 2}),
    ],
)
def test_json_is_found(text: str, value: object) -> None:
    assert extract_json(text) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("no json here", "not valid JSON"),
        ("```json\n```", "empty"),
        ('{"a": ', "not valid JSON"),
    ],
)
def test_no_json_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        extract_json(text)
