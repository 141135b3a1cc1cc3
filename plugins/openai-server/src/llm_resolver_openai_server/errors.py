"""llm-resolver's typed errors as OpenAI-style HTTP errors a client's own retry logic understands.

What the client can fix is a 4xx; what the upstream did is a 5xx (a provider that refused *our*
credentials is the server's problem, not the client's: 502). The message is the error's summary, our
own sentence: what the provider said (``LLMError.detail``) stays in the server's log, as it may name
internal hosts or carry a traceback with the server's paths.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from starlette.responses import JSONResponse

from llm_resolver import (
    LLMAuthenticationError,
    LLMBadRequestError,
    LLMBudgetExceededError,
    LLMCapabilityError,
    LLMConnectionError,
    LLMContentPolicyError,
    LLMContextWindowError,
    LLMError,
    LLMFallbacksExhaustedError,
    LLMRateLimitError,
    LLMTimeoutError,
    PluginError,
    SpecError,
)


@dataclass(frozen=True)
class HttpError:
    status: int
    type: str
    code: str | None
    message: str
    param: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "code": self.code, "param": self.param}}


class Refused(Exception):
    """Raised by a handler to answer with ``error``."""

    def __init__(self, error: HttpError) -> None:
        super().__init__(error.message)
        self.error = error


def invalid_request(
    message: str, param: str | None = None, status: int = 400, code: str | None = None
) -> HttpError:
    return HttpError(status, "invalid_request_error", code, message, param)


def from_llm_error(error: LLMError) -> HttpError:
    cause = error
    if isinstance(error, LLMFallbacksExhaustedError) and error.last_error is not None:
        cause = error.last_error
    message = public(error.summary)
    match cause:
        case SpecError() | PluginError():
            return HttpError(500, "server_error", "server_misconfigured", message)
        case LLMBudgetExceededError():
            return HttpError(429, "insufficient_quota", "insufficient_quota", message)
        case LLMRateLimitError():
            wait = {"Retry-After": str(math.ceil(cause.retry_after))} if cause.retry_after else {}
            return HttpError(429, "rate_limit_error", "rate_limit_exceeded", message, headers=wait)
        case LLMContextWindowError():
            return invalid_request(message, "messages", code="context_length_exceeded")
        case LLMContentPolicyError():
            return invalid_request(message, code="content_policy_violation")
        case LLMBadRequestError() | LLMCapabilityError():
            return invalid_request(message)
        case LLMTimeoutError():
            return HttpError(504, "api_error", "upstream_timeout", message)
        case LLMAuthenticationError():
            return HttpError(502, "api_error", "upstream_authentication", message)
        case LLMConnectionError():
            return HttpError(502, "api_error", "upstream_unreachable", message)
        case _:
            status = 503 if cause.status_code == 503 else 502
            return HttpError(status, "api_error", "upstream_error", message)


# What a summary may still quote from below us (a broken stream quotes its exception): URLs, host:port,
# IP addresses, Python's (host, port) tuples, and tracebacks.
_ADDRESS = re.compile(
    r"\b[a-z][a-z0-9+.-]*://\S+"
    r"|\('[^']*', \d{1,5}\)"
    r"|\[[0-9a-f:.]+\](?::\d+)?"
    r"|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*:\d{1,5}\b",
    re.IGNORECASE,
)
_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]*\", line \d+")


def public(text: str) -> str:
    """``text`` fit for a client: no upstream address, no traceback (the server log keeps both)."""
    found = _TRACEBACK.search(text)
    if found:
        text = text[: found.start()].rstrip() + " [traceback omitted]"
    return _ADDRESS.sub("<upstream>", text)


def error_response(error: HttpError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


INTERNAL = HttpError(500, "server_error", None, "internal error; the server log has the details")
# The last event of a stream still open when the server stops: the client may retry elsewhere.
SHUTTING_DOWN = HttpError(
    503, "server_error", "server_shutting_down", "the server is shutting down; retry the request"
)
