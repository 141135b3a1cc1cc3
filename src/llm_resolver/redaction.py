"""Scrubbing secrets out of any text we show: errors, logs, reprs, dumps."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

# Shapes of provider keys and bearer tokens; explicit secrets are removed by value as well.
_KEY_PATTERNS = re.compile(
    r"(sk-ant-[A-Za-z0-9_\-]{8,}|sk-[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{20,}"
    r"|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}|(?i:(?:api[_-]?key|x-api-key|key)=)[A-Za-z0-9._\-]{8,})"
)
MASK = "**********"
# The userinfo of a URL (``scheme://user:pass@``): up to the last "@" before the host's path, query or
# fragment, so a password holding a raw "@" is masked whole.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^\s/?#]+@")

# Whole words of a setting's name that mark its value as secret ("api_key", "X-Auth-Token", "apiKey").
SECRET_WORDS = frozenset(
    {
        "key",
        "keys",
        "apikey",
        "token",
        "secret",
        "secrets",
        "password",
        "passwd",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "cookie",
        "private",
    }
)
# Words that make a name harmless even next to a secret word ("input_cost_per_token").
HARMLESS_WORDS = frozenset({"cost", "count", "limit"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def is_secret_name(name: str) -> bool:
    """Whether a setting called ``name`` holds a secret; matched by word so ``max_tokens`` is not one."""
    words = {w.lower() for w in _WORD.findall(name)}
    return bool(words & SECRET_WORDS) and not words & HARMLESS_WORDS


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without the given secrets, key-shaped strings, or the credentials of any URL in it."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return mask_url_credentials(_KEY_PATTERNS.sub(MASK, text))


def mask_url_credentials(text: str) -> str:
    """``https://user:pass@host/...`` → ``https://**********@host/...``, for every URL in ``text``."""
    return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)


def url_credentials(url: str | None) -> list[str]:
    """The password and ``user:password`` of a URL, for removing them by value from text that shows
    them outside the URL (a provider or proxy echoing the password, say)."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        return []
    return [f"{user}:{password}", password] if password else []


# Keys whose every value is secret whatever its name (header values carry tokens under any name).
SECRET_CONTAINERS = frozenset({"extra_headers", "headers"})


def is_secret_key(key: object) -> bool:
    return str(key) in SECRET_CONTAINERS or is_secret_name(str(key))


def _is_secret_str(value: object) -> bool:
    """A pydantic ``SecretStr``. Not imported for this: errors (which redact) must not cost pydantic's
    import, and no value can be a ``SecretStr`` before pydantic is imported."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.SecretStr)


def mask_secrets(value: Any, secret: bool = False) -> Any:
    """A copy of nested settings with every secret (by key name, or a ``SecretStr``) replaced by MASK."""
    if _is_secret_str(value):
        return MASK
    if isinstance(value, Mapping):
        return {k: mask_secrets(v, secret or is_secret_key(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_secrets(v, secret) for v in value]
    if secret and isinstance(value, str | bytes):
        return MASK
    if isinstance(value, str):
        return mask_url_credentials(value)
    return value


def find_secrets(value: Any, secret: bool = False) -> Iterator[str]:
    """Every secret string inside nested settings, for scrubbing text we did not write ourselves."""
    if _is_secret_str(value):
        yield value.get_secret_value()
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from find_secrets(v, secret or is_secret_key(k))
    elif isinstance(value, list | tuple):
        for v in value:
            yield from find_secrets(v, secret)
    elif secret and isinstance(value, str):
        yield value
    elif isinstance(value, str) and "://" in value:
        yield from url_credentials(value)
