"""LiteLLM exceptions → our taxonomy, by status code and cause rather than by class alone.

LiteLLM reports an Anthropic 529 (overloaded) as InternalServerError(500), a refused connection as
InternalServerError (or, through aiohttp, as "Cannot connect to host"), a timeout as status 408, and a
Gemini stream's HTTP error wrapped in MidStreamFallbackError; the response headers ride on
``litellm_response_headers``.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from llm_resolver.config.providers import PROVIDER_KEY_VARS, provider_of
from llm_resolver.errors import (
    LLMAuthenticationError,
    LLMBadRequestError,
    LLMConnectionError,
    LLMContentPolicyError,
    LLMContextWindowError,
    LLMError,
    LLMRateLimitError,
    LLMResponseError,
    LLMServiceError,
    LLMTimeoutError,
)
from llm_resolver.redaction import redact

_CONNECTION_HINTS = (
    "connection refused",
    "cannot connect to host",  # aiohttp, LiteLLM's async transport
    "connecterror",
    "connection reset",
    "remoteprotocolerror",
    "server disconnected",
    "peer closed connection",
    "incomplete chunked read",
    "connection error",
    "name or service not known",
    "all connection attempts failed",
    "readerror",
)
_MALFORMED_HINTS = ("jsondecodeerror", "invalid json")
# Every message of Python's JSONDecodeError ends with this position, whatever wording LiteLLM puts
# around it ("Unable to get json response", "Error converting to valid response block", ...).
_JSON_ERROR_POSITION = re.compile(r"line \d+ column \d+ \(char \d+\)")


def map_exception(exc: BaseException, model: str, secrets: Iterable[str] = ()) -> LLMError:
    """Translate any exception raised by a LiteLLM call into an ``LLMError`` that says what to do."""
    if isinstance(exc, LLMError):
        return exc
    name = type(exc).__name__
    original = getattr(exc, "original_exception", None)
    if name == "MidStreamFallbackError" and isinstance(original, Exception):
        # The wrapper says 503 and drops the headers; the provider's own error is inside it.
        return map_exception(original, model, secrets)
    status = _status(exc)
    raw = redact(_provider_message(exc), secrets)
    text = f"{name} {raw}".lower()
    detail = _shortened(raw) or None  # kept apart from our sentence (LLMError.detail)
    if status == 500 and "overloaded_error" in text:
        status = 529  # Anthropic's overloaded status, which LiteLLM folds into a 500

    if name == "ContextWindowExceededError":
        return LLMContextWindowError(
            f"the prompt does not fit {model}'s context window; shorten it, lower max_tokens, "
            f"or add a fallback model with a larger context.",
            detail=detail,
            model=model,
            status_code=status or 400,
        )
    if name == "ContentPolicyViolationError":
        return LLMContentPolicyError(
            "the provider's content filter refused this request; change the content "
            "(fallbacks are tried only with retry.fallback_on_content_policy).",
            detail=detail,
            model=model,
            status_code=status or 400,
        )
    if name == "AuthenticationError" or status in (401, 403) or _missing_credentials(text):
        return LLMAuthenticationError(
            f"{model} rejected the credentials; check api_key (or {_key_variables(model)}) and that the "
            "key may use this model.",
            detail=detail,
            model=model,
            status_code=status if status in (401, 403) else 401,
        )
    if name == "RateLimitError" or status == 429:
        return LLMRateLimitError(
            f"{model} is rate-limiting us; retried with backoff, add a fallback model or lower the "
            f"request rate.",
            detail=detail,
            model=model,
            status_code=429,
            retry_after=retry_after_seconds(_headers(exc)),
        )
    if (
        name in ("Timeout", "APITimeoutError")
        or status == 408
        or "timed out" in text
        or "timeout" in name.lower()
    ):
        return timed_out(model, detail)
    if any(h in text for h in _MALFORMED_HINTS) or _JSON_ERROR_POSITION.search(text):
        return LLMResponseError(
            f"{model} sent a reply we could not parse; this is usually transient.",
            detail=detail,
            model=model,
            status_code=status,
        )
    if name == "MidStreamFallbackError" or any(h in text for h in _CONNECTION_HINTS):
        return LLMConnectionError(
            f"the connection to {model} failed or broke; check api_base and the network.",
            detail=detail,
            model=model,
            status_code=None,
        )
    if name == "ServiceUnavailableError" or (status is not None and status >= 500):
        return LLMServiceError(
            f"{model} failed on the provider's side (HTTP {status or 500}); retried, then fallbacks.",
            detail=detail,
            model=model,
            status_code=status or 500,
            retry_after=retry_after_seconds(_headers(exc)),
        )
    if name == "APIConnectionError":
        return LLMConnectionError(
            f"could not reach {model}; check api_base and the network.", detail=detail, model=model
        )
    if name in ("BadRequestError", "NotFoundError", "UnprocessableEntityError", "UnsupportedParamsError") or (
        status is not None and 400 <= status < 500
    ):
        return LLMBadRequestError(
            f"{model} refused the request as invalid; fix the request or the model name.",
            detail=detail,
            model=model,
            status_code=status or 400,
        )
    return LLMResponseError(
        f"unexpected failure calling {model} ({name}).",
        detail=detail,
        model=model,
        status_code=status,
        retryable=False,
    )


def timed_out(model: str, detail: str | None = None) -> LLMTimeoutError:
    """An attempt that ran out of time: the provider's own timeout, or the call's deadline."""
    return LLMTimeoutError(
        f"{model} did not answer within the attempt timeout; raise timeout, or rely on retries "
        f"and fallbacks.",
        detail=detail,
        model=model,
        status_code=408,
    )


def _shortened(text: str, limit: int = 300) -> str:
    """``text`` cut to about ``limit`` characters at a word boundary, marked when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _key_variables(model: str) -> str:
    names = PROVIDER_KEY_VARS.get(provider_of(model) or "", ())
    return " or ".join(names) or "the provider's key variable"


def _missing_credentials(text: str) -> bool:
    """LiteLLM reports a key that was never given as a 500 or a connection error; it is an auth problem."""
    return "missing credentials" in text or ("missing" in text and ("api key" in text or "api_key" in text))


def _status(exc: BaseException) -> int | None:
    code = getattr(exc, "status_code", None)
    return code if isinstance(code, int) and code > 0 else None


def _provider_message(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) else str(exc)
    return " ".join(text.split())


def _headers(exc: BaseException) -> Mapping[str, Any]:
    for attr in ("litellm_response_headers", "headers"):
        headers = getattr(exc, attr, None)
        if headers:
            return {str(k).lower(): v for k, v in dict(headers).items()}
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return {str(k).lower(): v for k, v in dict(headers).items()} if headers else {}


def retry_after_seconds(headers: Mapping[str, Any]) -> float | None:
    """Seconds from ``retry-after-ms``, ``retry-after`` (seconds or HTTP date); None when absent or junk."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())
