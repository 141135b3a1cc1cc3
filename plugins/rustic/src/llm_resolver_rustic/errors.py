"""Our typed errors as Rustic sees them: each is also Rustic's ``APIError``, with a ``ResponseCodes``
``status_code``, so ``SimpleLLMAgent`` (which catches ``APIError`` and builds a ``ChatCompletionError``
from ``ResponseCodes(err.status_code)``) answers with an error message instead of crashing.

``status_code`` therefore holds the Rustic code; the provider's HTTP status stays on ``http_status``.
"""

from __future__ import annotations

from rustic_ai.core.guild.agent_ext.depends.llm.models import APIError, ResponseCodes

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
    LLMResponseError,
    LLMServiceError,
    LLMTimeoutError,
    PluginError,
    SpecError,
)


class RusticLLMError(LLMError, APIError):
    """An ``LLMError`` that is also Rustic's ``APIError``; ``http_status`` is the provider's status."""

    status_code: int  # a ResponseCodes value, as Rustic reads it
    http_status: int | None = None


class RusticAuthenticationError(RusticLLMError, LLMAuthenticationError):
    pass


class RusticRateLimitError(RusticLLMError, LLMRateLimitError):
    pass


class RusticTimeoutError(RusticLLMError, LLMTimeoutError):
    pass


class RusticConnectionError(RusticLLMError, LLMConnectionError):
    pass


class RusticServiceError(RusticLLMError, LLMServiceError):
    pass


class RusticContextWindowError(RusticLLMError, LLMContextWindowError):
    pass


class RusticContentPolicyError(RusticLLMError, LLMContentPolicyError):
    pass


class RusticBadRequestError(RusticLLMError, LLMBadRequestError):
    pass


class RusticResponseError(RusticLLMError, LLMResponseError):
    pass


class RusticCapabilityError(RusticLLMError, LLMCapabilityError):
    pass


class RusticBudgetExceededError(RusticLLMError, LLMBudgetExceededError):
    pass


class RusticFallbacksExhaustedError(RusticLLMError, LLMFallbacksExhaustedError):
    pass


class RusticSpecError(RusticLLMError, SpecError):
    pass


class RusticPluginError(RusticLLMError, PluginError):
    pass


# Most specific first: the first class the error is an instance of decides.
_CLASSES: tuple[tuple[type[LLMError], type[RusticLLMError]], ...] = (
    (LLMContextWindowError, RusticContextWindowError),
    (LLMContentPolicyError, RusticContentPolicyError),
    (LLMBadRequestError, RusticBadRequestError),
    (LLMAuthenticationError, RusticAuthenticationError),
    (LLMRateLimitError, RusticRateLimitError),
    (LLMTimeoutError, RusticTimeoutError),
    (LLMConnectionError, RusticConnectionError),
    (LLMServiceError, RusticServiceError),
    (LLMResponseError, RusticResponseError),
    (LLMCapabilityError, RusticCapabilityError),
    (LLMBudgetExceededError, RusticBudgetExceededError),
    (LLMFallbacksExhaustedError, RusticFallbacksExhaustedError),
    (SpecError, RusticSpecError),
    (PluginError, RusticPluginError),
)

# The Rustic code of each kind of failure; an HTTP status Rustic knows wins for bad requests and auth.
_CODES: dict[type[RusticLLMError], ResponseCodes] = {
    RusticContextWindowError: ResponseCodes.CONTEXT_WINDOW_EXCEEDED_ERROR,
    RusticContentPolicyError: ResponseCodes.CONTENT_POLICY_VIOLATION_ERROR,
    RusticBadRequestError: ResponseCodes.BAD_REQUEST_ERROR,
    RusticAuthenticationError: ResponseCodes.AUTHENTICATION_ERROR,
    RusticRateLimitError: ResponseCodes.RATE_LIMIT_ERROR,
    RusticTimeoutError: ResponseCodes.API_TIMEOUT_ERROR,
    RusticConnectionError: ResponseCodes.API_CONNECTION_ERROR,
    RusticServiceError: ResponseCodes.INTERNAL_SERVER_ERROR,
    RusticResponseError: ResponseCodes.RESPONSE_PROCESSING_ERROR,
    RusticCapabilityError: ResponseCodes.BAD_REQUEST_ERROR,
    # OpenAI answers an exhausted quota with 429; an agent treats both alike (wait or stop).
    RusticBudgetExceededError: ResponseCodes.RATE_LIMIT_ERROR,
    RusticSpecError: ResponseCodes.BAD_REQUEST_ERROR,
    RusticPluginError: ResponseCodes.INTERNAL_SERVER_ERROR,
}
_HTTP_KEPT = {
    ResponseCodes.PERMISSION_DENIED_ERROR,
    ResponseCodes.NOT_FOUND_ERROR,
    ResponseCodes.UNPROCESSABLE_ENTITY_ERROR,
    ResponseCodes.CONFLICT_ERROR,
}


def to_rustic(error: LLMError) -> RusticLLMError:
    """The same error (message, model, attempts, every attribute) as a Rustic ``APIError`` too."""
    if isinstance(error, RusticLLMError):
        return error
    kind = next((rustic for ours, rustic in _CLASSES if isinstance(error, ours)), RusticServiceError)
    cause = error.last_error if isinstance(error, LLMFallbacksExhaustedError) else None
    code = _CODES[type(to_rustic(cause))] if cause is not None else _CODES[kind]
    if error.status_code in _HTTP_KEPT and kind in (RusticBadRequestError, RusticAuthenticationError):
        code = ResponseCodes(error.status_code)
    converted = kind.__new__(kind)
    Exception.__init__(converted, error.message)
    converted.__dict__.update(error.__dict__)
    converted.http_status = error.status_code
    converted.status_code = int(code)
    return converted
