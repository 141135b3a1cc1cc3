"""Structured output: ask, validate the reply against the response model, re-ask with the validation
error fed back, up to ``structured_retries`` times; then ``LLMResponseError`` with the last reply.

Each ask is a whole call (hooks, retries, fallbacks, meters); the returned response sums the usage,
cost and attempts of every ask. Streams are not validated (they yield text as it arrives).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from llm_resolver.errors import LLMBadRequestError, LLMResponseError
from llm_resolver.structured.extract import extract_json
from llm_resolver.structured.prompting import describe, feedback, is_response_model
from llm_resolver.types.messages import Message, escape_unsendable
from llm_resolver.types.request import ChatRequest, RequestLike, coerce_request
from llm_resolver.types.responses import ChatResponse, Usage

OPTION = "response_model"


def wanted(request: RequestLike, options: Mapping[str, Any]) -> bool:
    """Whether this call asks for structured output: ``response_model=``, or a pydantic class given as
    ``response_format`` (per call, in a ChatRequest, or in a request dict)."""
    if OPTION in options or is_response_model(options.get("response_format")):
        return True
    if isinstance(request, ChatRequest):
        return is_response_model(request.response_format)
    return isinstance(request, dict) and is_response_model(request.get("response_format"))


def refuse_in_stream(options: Mapping[str, Any], operation: str) -> None:
    if OPTION in options:
        raise LLMBadRequestError(
            f"{OPTION} works with complete/acomplete, not {operation}: a stream yields text as it arrives. "
            "Use complete(..., response_model=...), or stream with response_format and parse the text."
        )


class StructuredSession:
    """The state of one structured call across its asks."""

    def __init__(self, request: RequestLike, options: dict[str, Any], retries: int) -> None:
        options = dict(options)
        model = options.pop(OPTION, None)
        fields = {k: options.pop(k) for k in list(options) if k in ChatRequest.model_fields}
        base = coerce_request(request, **fields)
        model = model or base.response_format
        if not is_response_model(model):
            raise LLMBadRequestError(
                f"{OPTION} must be a pydantic BaseModel subclass, got {model!r}; define "
                "class Answer(BaseModel): ... and pass response_model=Answer"
            )
        self.model: type[BaseModel] = model
        self.base = base.model_copy(update={"response_format": model})
        self.options = options  # per-call options such as deadline, given to every ask
        self.tries = retries + 1
        self._messages = list(base.messages)
        self._responses: list[ChatResponse] = []
        self._problem = ""

    def request(self) -> ChatRequest:
        return self.base.model_copy(update={"messages": self._messages})

    def check(self, response: ChatResponse) -> ChatResponse | None:
        """The final response when the reply validates; else None, with the re-ask queued."""
        self._responses.append(response)
        try:
            parsed = self.model.model_validate(extract_json(response.text))
        except ValidationError as exc:
            self._problem = describe(exc)
        except ValueError as exc:
            self._problem = str(exc)
        else:
            return self._combined(parsed)
        # The reply as the provider sent it; our feedback quotes it, so it escapes what no provider takes.
        self._messages += [
            Message.from_reply(response.text, []),
            Message.user(escape_unsendable(feedback(self._problem))),
        ]
        return None

    def failed(self) -> LLMResponseError:
        last = self._responses[-1]
        error = LLMResponseError(
            f"{last.model}'s reply did not match {self.model.__name__} after {len(self._responses)} "
            f"tries ({self._problem}); the last reply is on this error as last_reply. Raise "
            "structured_retries, simplify the model, or use a model with native JSON-schema output",
            last_reply=last.text,
            model=last.model,
            retryable=False,
        )
        error.attempts = [a for r in self._responses for a in r.attempts]
        return error

    def _combined(self, parsed: BaseModel) -> ChatResponse:
        costs = [r.cost_usd for r in self._responses]
        return self._responses[-1].model_copy(
            update={
                "parsed": parsed,
                "usage": sum((r.usage for r in self._responses), Usage()),
                "cost_usd": None if None in costs else sum(c for c in costs if c is not None),
                "attempts": [a for r in self._responses for a in r.attempts],
            }
        )


def complete(
    call: Callable[..., ChatResponse], request: RequestLike, options: dict[str, Any], retries: int
) -> ChatResponse:
    session = StructuredSession(request, options, retries)
    for _ in range(session.tries):
        done = session.check(call(session.request(), **session.options))
        if done is not None:
            return done
    raise session.failed()


async def acomplete(
    call: Callable[..., Awaitable[ChatResponse]], request: RequestLike, options: dict[str, Any], retries: int
) -> ChatResponse:
    session = StructuredSession(request, options, retries)
    for _ in range(session.tries):
        done = session.check(await call(session.request(), **session.options))
        if done is not None:
            return done
    raise session.failed()
