"""Cache keys: a SHA-256 of the canonical JSON of what the provider would be sent.

Everything that shapes the answer is in it (model, endpoint, messages, tools, tool_choice,
response_format, sampling settings, provider options); what does not (key, timeouts, retry counts,
headers, streaming) and any secret-named option is left out.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from llm_resolver.redaction import is_secret_name

KEY_VERSION = 1
_NOT_IN_KEY = frozenset(
    {
        "api_key",
        "timeout",
        "num_retries",
        "max_retries",
        "stream",
        "stream_options",
        "extra_headers",
        "organization",
    }
)


class Uncacheable(TypeError):
    """A request option has no canonical JSON form; such a call bypasses the cache."""


def request_key(kwargs: Mapping[str, Any], scope: str | None) -> str:
    """Raises ``Uncacheable`` when an option cannot be written as JSON."""
    payload = {
        "v": KEY_VERSION,
        "scope": scope,
        "request": {k: v for k, v in kwargs.items() if k not in _NOT_IN_KEY and not is_secret_name(k)},
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, type) and issubclass(value, BaseModel):
        return {"pydantic_schema": value.model_json_schema()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.hex()
    raise Uncacheable(f"a {type(value).__name__} in the request has no canonical form")
