"""Which names hold secrets, and the helpers that mask or collect them."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from llm_resolver.redaction import MASK, find_secrets, is_secret_name, mask_secrets, redact

from .conftest import ANTHROPIC_KEY, OPENAI_KEY, PLAIN_SECRET


@pytest.mark.parametrize(
    "name",
    [
        "api_key",
        "OPENAI_API_KEY",
        "apiKey",
        "APIKey",
        "x-api-key",
        "X-Auth-Token",
        "Authorization",
        "client_secret",
        "vertex_credentials",
        "password",
        "api_keys",
        "aws_secret_access_key",
        "Cookie",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "model",
        "max_tokens",
        "input_cost_per_token",
        "token_limit",
        "keywords",
        "monkey",
        "tokenizer",
        "timeout",
    ],
)
def test_harmless_names(name: str) -> None:
    assert not is_secret_name(name)


def test_mask_secrets_masks_by_key_under_any_depth_and_keeps_the_rest() -> None:
    value = {
        "region": "eu",
        "api_key": PLAIN_SECRET,
        "extra_headers": {"X-Tenant": PLAIN_SECRET},
        "creds": SecretStr(PLAIN_SECRET),
        "credentials": {"client_email": PLAIN_SECRET, "n": 3},
        "items": [{"token": PLAIN_SECRET}, "plain"],
    }
    assert mask_secrets(value) == {
        "region": "eu",
        "api_key": MASK,
        "extra_headers": {"X-Tenant": MASK},
        "creds": MASK,
        "credentials": {"client_email": MASK, "n": 3},
        "items": [{"token": MASK}, "plain"],
    }
    assert sorted(find_secrets(value)) == [PLAIN_SECRET] * 5


def test_redact_removes_given_secrets_and_key_shapes() -> None:
    text = f"a {PLAIN_SECRET} b {OPENAI_KEY} c {ANTHROPIC_KEY} d Bearer abcdefgh12345 e key=abcdefgh1234"
    cleaned = redact(text, [PLAIN_SECRET])
    for secret in (PLAIN_SECRET, OPENAI_KEY, ANTHROPIC_KEY, "abcdefgh12345", "abcdefgh1234"):
        assert secret not in cleaned
    assert cleaned.startswith(f"a {MASK} b {MASK}")
    assert redact("short abc", ["abc"]) == "short abc"  # too short to remove by value safely


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:pw-1234@proxy.example/v1", f"https://{MASK}@proxy.example/v1"),
        ("POST http://u:p@ss@h:8080/x?to=a@b failed", f"POST http://{MASK}@h:8080/x?to=a@b failed"),
        ("redis://:pw-1234@localhost:6379/0", f"redis://{MASK}@localhost:6379/0"),
        ("https://token-only@git.example/repo", f"https://{MASK}@git.example/repo"),
        ("https://host/path@v2 and mail a@b.example", "https://host/path@v2 and mail a@b.example"),
    ],
)
def test_redact_masks_the_credentials_of_any_url(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_url_credentials_are_found_in_any_setting_and_masked_in_dumps() -> None:
    settings = {"cache": {"backend": "redis", "url": "redis://:pw-1234@localhost:6379/0"}, "n": 1}
    assert mask_secrets(settings) == {
        "cache": {"backend": "redis", "url": f"redis://{MASK}@localhost:6379/0"},
        "n": 1,
    }
    assert sorted(find_secrets(settings)) == [":pw-1234", "pw-1234"]
