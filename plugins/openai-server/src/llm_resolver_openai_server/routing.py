"""What every route of the server shares: failures as OpenAI-style JSON errors, ``x-request-id``, and
a body read within the size limit. Done by the route class, not by app-wide handlers, so a host app
that mounts the router gets the same answers without installing anything."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from llm_resolver import LLMError
from llm_resolver.redaction import redact
from llm_resolver_openai_server.errors import (
    INTERNAL,
    HttpError,
    Refused,
    error_response,
    from_llm_error,
    invalid_request,
)
from llm_resolver_openai_server.fields import WireError
from llm_resolver_openai_server.request_ids import HEADER, request_id

log = logging.getLogger("llm_resolver_openai_server")


class OpenAIRoute(APIRoute):
    """A route whose failures (its auth dependency's included) are OpenAI-style JSON errors. An
    ``HTTPException`` or validation error from a host's own auth dependency is left to the host's
    handlers: it is the host's answer to give."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                response = await handler(request)
            except (HTTPException, RequestValidationError):
                raise
            except Refused as exc:
                response = error_response(exc.error)
            except WireError as exc:
                response = error_response(invalid_request(str(exc), exc.param))
            except LLMError as exc:
                response = error_response(llm_failure(exc, request))
            except Exception as exc:
                log.error(
                    "request %s %s (%s) failed: %s",
                    request.method,
                    request.url.path,
                    request_id(request.scope),
                    redact(f"{type(exc).__name__}: {exc}"),
                )
                response = error_response(INTERNAL)
            response.headers.setdefault(HEADER, request_id(request.scope))
            return response

        return answer


def llm_failure(error: LLMError, request: Request) -> HttpError:
    """The client's error; the full one, with what the provider said, goes to the server's log."""
    answer = from_llm_error(error)
    level = logging.WARNING if answer.status >= 500 else logging.INFO
    log.log(level, "%s (%s): %s", request.url.path, request_id(request.scope), error)
    return answer


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON, refused with a 413 past ``limit`` bytes (counted as they arrive, whatever
    Content-Length claims)."""
    declared = request.headers.get("content-length", "")
    too_large = Refused(invalid_request(f"the body is over {limit} bytes; send a smaller one", status=413))
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise WireError(f"the body is not valid JSON ({exc.msg} at char {exc.pos})") from None
    except UnicodeDecodeError:
        raise WireError("the body is not valid JSON (it is not UTF-8 text)") from None
