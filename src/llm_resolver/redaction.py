"""Scrubbing secrets out of any text we show: errors, logs, reprs, dumps."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Shapes of provider keys and bearer tokens; explicit secrets are removed by value as well.
_KEY_PATTERNS = re.compile(
    r"(sk-ant-[A-Za-z0-9_\-]{8,}|sk-[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{20,}"
    r"|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}|(?i:(?:api[_-]?key|x-api-key|key)=)[A-Za-z0-9._\-]{8,})"
)
MASK = "**********"

SECRET_FIELD_HINTS = ("key", "token", "secret", "password", "authorization", "credential")


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(hint in lowered for hint in SECRET_FIELD_HINTS)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return _KEY_PATTERNS.sub(MASK, text)
