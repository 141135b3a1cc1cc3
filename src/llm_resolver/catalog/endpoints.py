"""Provider model-listing endpoints: where to ask, how to authenticate, how to read the pages.

Each walk is a generator that yields the next page request and receives the page's JSON, so the
sync and the async listing share every rule and differ only in the HTTP client driving them.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_BASES = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com/v1beta",
}
MAX_PAGES = 20


@dataclass(frozen=True)
class PageRequest:
    url: str
    headers: dict[str, str] = field(repr=False)
    params: dict[str, str]


@dataclass(frozen=True)
class Listed:
    """One model an endpoint reported, with the limits it stated (Gemini states them)."""

    id: str
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None


Walk = Generator[PageRequest, Any, list[Listed]]


def walk(provider: str, api_base: str, api_key: str | None) -> Walk:
    """Page through ``provider``'s listing; any other provider is asked as an OpenAI-compatible server."""
    base = api_base.rstrip("/")
    if provider == "anthropic":
        return _anthropic(base, api_key)
    if provider == "gemini":
        return _gemini(base, api_key)
    return _openai(base, api_key)


def _openai(base: str, api_key: str | None) -> Walk:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    body = yield PageRequest(f"{base}/models", headers, {})
    return [Listed(str(item["id"])) for item in body["data"]]


def _anthropic(base: str, api_key: str | None) -> Walk:
    headers = {"anthropic-version": ANTHROPIC_VERSION}
    if api_key:
        headers["x-api-key"] = api_key
    params = {"limit": "1000"}
    out: list[Listed] = []
    for _ in range(MAX_PAGES):
        body = yield PageRequest(f"{base}/v1/models", headers, dict(params))
        out += [Listed(str(item["id"])) for item in body["data"]]
        if not body.get("has_more") or not body.get("last_id"):
            break
        params["after_id"] = str(body["last_id"])
    return out


def _gemini(base: str, api_key: str | None) -> Walk:
    # The key goes in a header, not in ?key=, so it never appears in a URL an error message may quote.
    headers = {"x-goog-api-key": api_key} if api_key else {}
    params = {"pageSize": "1000"}
    out: list[Listed] = []
    for _ in range(MAX_PAGES):
        body = yield PageRequest(f"{base}/models", headers, dict(params))
        out += [
            Listed(
                str(item["name"]).removeprefix("models/"),
                item.get("inputTokenLimit"),
                item.get("outputTokenLimit"),
            )
            for item in body.get("models", [])
        ]
        if not body.get("nextPageToken"):
            break
        params["pageToken"] = str(body["nextPageToken"])
    return out
