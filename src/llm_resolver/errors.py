"""The error taxonomy. Every error says what to change and never carries a secret."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llm_resolver.redaction import redact

if TYPE_CHECKING:
    from llm_resolver.types.responses import Attempt


class LLMError(Exception):
    """Base of every error this library raises.

    ``summary`` is our sentence (what failed, what to change); ``detail`` is what the provider said, if
    anything. They are kept apart so a server can show its clients the one without the other (the
    provider's text may name internal hosts); ``message`` and ``str()`` join them.
    """

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.summary = redact(message)
        self.detail = redact(detail) if detail else None
        self.message = f"{self.summary} Provider said: {self.detail}" if self.detail else self.summary
        self.model = model
        self.status_code = status_code
        self.retryable = self.default_retryable if retryable is None else retryable
        self.attempts: list[Attempt] = []
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f" [model={self.model}]" if self.model else ""
        return f"{self.message}{where}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[LLMError], message: str, state: dict[str, object]) -> LLMError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class LLMAuthenticationError(LLMError):
    """The provider refused the credentials (401/403)."""


class _WaitHinted(LLMError):
    """An error the provider may send with Retry-After: ``retry_after`` holds it in seconds."""

    default_retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        detail: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, detail=detail, model=model, status_code=status_code, retryable=retryable)
        self.retry_after = retry_after


class LLMRateLimitError(_WaitHinted):
    """The provider is rate-limiting us (429)."""


class LLMTimeoutError(LLMError):
    default_retryable = True


class LLMConnectionError(LLMError):
    """The connection failed or broke; ``partial_text`` holds what a stream delivered before it broke."""

    default_retryable = True

    def __init__(
        self,
        message: str,
        *,
        partial_text: str = "",
        detail: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, detail=detail, model=model, status_code=status_code, retryable=retryable)
        self.partial_text = partial_text


class LLMServiceError(_WaitHinted):
    """The provider failed on its side (5xx); ``retry_after`` is its Retry-After, if it sent one (a 503
    often does)."""


class LLMBadRequestError(LLMError):
    """The request itself is wrong; retrying the same request cannot help."""


class LLMContextWindowError(LLMBadRequestError):
    """The prompt (plus max_tokens) does not fit the model's context window."""


class LLMContentPolicyError(LLMBadRequestError):
    """The provider's content filter refused the request or the reply."""


class LLMResponseError(LLMError):
    """The provider answered with something we could not understand, or a structured reply never validated."""

    default_retryable = True

    def __init__(
        self,
        message: str,
        *,
        last_reply: str | None = None,
        detail: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, detail=detail, model=model, status_code=status_code, retryable=retryable)
        self.last_reply = last_reply


class LLMCapabilityError(LLMError):
    """The request needs something the model cannot do; raised before any network call."""


class LLMBudgetExceededError(LLMError):
    def __init__(
        self,
        message: str,
        *,
        scope: object = None,
        budget_usd: float = 0.0,
        spent_usd: float = 0.0,
        model: str | None = None,
    ) -> None:
        super().__init__(message, model=model)
        self.scope = scope
        self.budget_usd = budget_usd
        self.spent_usd = spent_usd


class LLMFallbacksExhaustedError(LLMError):
    """Every model in the chain failed; ``attempts`` holds each try and ``last_error`` the final cause."""

    def __init__(
        self,
        message: str,
        *,
        attempts: Sequence[Attempt] = (),
        last_error: LLMError | None = None,
        model: str | None = None,
    ) -> None:
        detail = None
        if last_error is not None and last_error.detail and message.endswith(last_error.message):
            # The message quotes the last error in full: its provider's text stays in ``detail`` here too.
            message, detail = message.removesuffix(last_error.message) + last_error.summary, last_error.detail
        super().__init__(
            message,
            detail=detail,
            model=model,
            status_code=last_error.status_code if last_error else None,
        )
        self.attempts = list(attempts)
        self.last_error = last_error


class SpecError(LLMError, ValueError):
    """A spec, config file or environment variable is wrong; the message names the field or variable."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PluginError(LLMError):
    """A plugin failed to load or register, or registered something that clashes."""

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin
