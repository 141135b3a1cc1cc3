"""LiteLLMBackend's error mapping: LiteLLM's own exception objects, built directly, become our
taxonomy by status and cause; a refused connection, made for real, leaves the backend as an LLMError."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from llm_resolver import (
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
from llm_resolver.backend.errors import map_exception
from llm_resolver.backend.litellm_backend import LiteLLMBackend
from llm_resolver.backend.loader import litellm
from llm_resolver.backend.targets import Target

MODEL = "openai/gpt-4o-mini"
SECRET = "sk-live-abcdefghijklmnop1234"


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("POST", "http://127.0.0.1/v1"))


def _exc(name: str, message: str = "provider says no", **kwargs: Any) -> Exception:
    cls = getattr(litellm().exceptions, name)
    built: Exception = cls(message=message, model=MODEL, llm_provider="openai", **kwargs)
    return built


CASES: list[tuple[str, Callable[[], Exception], type[LLMError], int | None]] = [
    ("401", lambda: _exc("AuthenticationError", response=_response(401)), LLMAuthenticationError, 401),
    ("429", lambda: _exc("RateLimitError", response=_response(429)), LLMRateLimitError, 429),
    ("500", lambda: _exc("InternalServerError", response=_response(500)), LLMServiceError, 500),
    ("503", lambda: _exc("ServiceUnavailableError", response=_response(503)), LLMServiceError, 503),
    (
        "anthropic 529 folded into a 500",
        lambda: _exc("InternalServerError", message='{"type":"overloaded_error"}', response=_response(500)),
        LLMServiceError,
        529,
    ),
    ("context window", lambda: _exc("ContextWindowExceededError"), LLMContextWindowError, 400),
    ("content policy", lambda: _exc("ContentPolicyViolationError"), LLMContentPolicyError, 400),
    ("400", lambda: _exc("BadRequestError", response=_response(400)), LLMBadRequestError, 400),
    ("404", lambda: _exc("NotFoundError", response=_response(404)), LLMBadRequestError, 404),
    ("timeout", lambda: _exc("Timeout"), LLMTimeoutError, 408),
    ("connection", lambda: _exc("APIConnectionError", message="Connection error."), LLMConnectionError, None),
    (
        "refused connection reported as a 500",
        lambda: _exc(
            "InternalServerError", message="Cannot connect to host 127.0.0.1:1", response=_response(500)
        ),
        LLMConnectionError,
        None,
    ),
    (
        "missing key reported as a 500",
        lambda: _exc("InternalServerError", message="Missing credentials", response=_response(500)),
        LLMAuthenticationError,
        401,
    ),
    (
        "malformed body",
        lambda: _exc("APIConnectionError", message="Unable to get json response: line 1 column 1 (char 0)"),
        LLMResponseError,
        500,  # LiteLLM gives every APIConnectionError status 500
    ),
]


@pytest.mark.parametrize(("case", "make", "expected", "status"), CASES, ids=[c[0] for c in CASES])
def test_litellm_exceptions_map_to_the_taxonomy(
    case: str, make: Callable[[], Exception], expected: type[LLMError], status: int | None
) -> None:
    error = map_exception(make(), MODEL)
    assert type(error) is expected
    assert error.status_code == status
    assert error.model == MODEL


def test_retry_after_is_read_from_litellm_s_response_headers() -> None:
    exc = _exc("RateLimitError", response=_response(429, {"retry-after": "7"}))
    exc.litellm_response_headers = {"retry-after": "7"}  # type: ignore[attr-defined]
    error = map_exception(exc, MODEL)
    assert isinstance(error, LLMRateLimitError)
    assert error.retry_after == 7.0


def test_a_mid_stream_wrapper_is_unwrapped_to_the_provider_s_error() -> None:
    inner = _exc("RateLimitError", response=_response(429))
    inner.litellm_response_headers = {"retry-after-ms": "1500"}  # type: ignore[attr-defined]
    wrapped = litellm().exceptions.MidStreamFallbackError(
        message="stream failed", model=MODEL, llm_provider="openai", original_exception=inner
    )
    error = map_exception(wrapped, MODEL)
    assert isinstance(error, LLMRateLimitError)
    assert error.retry_after == 1.5


def test_the_target_s_secrets_never_reach_the_error() -> None:
    error = map_exception(
        _exc("BadRequestError", message=f"bad key {SECRET}", response=_response(400)), MODEL, [SECRET]
    )
    assert SECRET not in str(error)
    assert SECRET not in (error.detail or "")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _wire(port: int) -> dict[str, Any]:
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": "hi"}],
        "api_base": f"http://127.0.0.1:{port}/v1",
    }


def test_a_refused_connection_leaves_the_backend_as_an_llm_error() -> None:
    target = Target(model=MODEL, secrets=(SECRET,))
    with pytest.raises(LLMConnectionError) as caught:
        LiteLLMBackend().send(target, {**_wire(_closed_port()), "api_key": SECRET}, 5.0)
    assert SECRET not in str(caught.value)


async def test_an_async_refused_connection_leaves_the_backend_as_an_llm_error() -> None:
    with pytest.raises(LLMConnectionError):
        await LiteLLMBackend().asend(Target(model=MODEL), {**_wire(_closed_port()), "api_key": "x"}, 5.0)
