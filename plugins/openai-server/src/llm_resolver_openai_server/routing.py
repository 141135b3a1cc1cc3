"""What every route of the server shares: failures as OpenAI-style JSON errors, ``x-request-id``, a
body read as strict JSON within the size limit and the deadline, and calls stopped when their client
hangs up. Done by the route class, not by app-wide handlers, so a host app that mounts the router
gets the same answers without installing anything."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

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
from llm_resolver_openai_server.settings import ServerSettings

log = logging.getLogger("llm_resolver_openai_server")
_DIGITS = re.compile(r"value has (\d+) digits")
T = TypeVar("T")


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


async def read_json(request: Request, settings: ServerSettings) -> Any:
    """The body as JSON, refused with a 413 past ``max_body_bytes`` (counted as they arrive, whatever
    Content-Length claims), and with a 408 unless it has all arrived within ``body_timeout_s``: a
    client trickling its body would otherwise hold the request open for as long as it likes. Only
    ``Content-Type: application/json`` is read, so a page of another site cannot send it as a
    "simple" (text/plain or form) request, which browsers send without asking first."""
    limit, deadline = settings.max_body_bytes, settings.body_timeout_s
    kind = request.headers.get("content-type")
    if not _is_json(kind, request):
        shown = repr(kind[:100]) if kind else "none"
        message = f"the body must be sent as Content-Type: application/json (UTF-8), not {shown}"
        raise Refused(invalid_request(message, "Content-Type", status=415, code="unsupported_media_type"))
    declared = request.headers.get("content-length", "")
    too_large = Refused(invalid_request(f"the body is over {limit} bytes; send a smaller one", status=413))
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    try:
        async with asyncio.timeout(deadline):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise too_large
    except TimeoutError:
        message = f"the body did not arrive within {deadline:g} s; send it at once"
        error = HttpError(408, "invalid_request_error", "request_timeout", message, headers=_CLOSE)
        raise Refused(error) from None
    return parse_json(bytes(body))


_CLOSE = {"Connection": "close"}  # the rest of the body may still come: this connection is done


def _is_json(content_type: str | None, request: Request) -> bool:
    """``application/json``, optionally with ``charset=utf-8`` (JSON is UTF-8; nothing else is read).
    No type at all is taken from a client that is not a browser (no ``Origin`` or ``Sec-Fetch-Site``:
    browsers send one on every POST), as a script posting raw bytes sends none."""
    if content_type is None:
        return not any(name in request.headers for name in ("origin", "sec-fetch-site"))
    media, *params = (part.strip().lower() for part in content_type.split(";"))
    return media == "application/json" and all(
        p.replace(" ", "") in ("charset=utf-8", 'charset="utf-8"') for p in params
    )


def parse_json(body: bytes) -> Any:
    """Strict JSON: ``NaN`` and ``Infinity`` are not JSON (Python reads them; no provider's encoder
    writes them back), nor a number too big for a float; an integer Python will not read and nesting
    too deep for its parser are refused as what they are, not a server error."""
    try:
        return json.loads(body, parse_constant=_not_a_number, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise WireError(f"the body is not valid JSON ({exc.msg} at char {exc.pos})") from None
    except UnicodeDecodeError:
        raise WireError("the body is not valid JSON (it is not UTF-8 text)") from None
    except RecursionError:
        raise WireError("the body nests arrays or objects too deeply; flatten it") from None
    except WireError:  # a ValueError too: the hooks' own refusals
        raise
    except ValueError as exc:  # an integer past Python's limit on digits (sys.get_int_max_str_digits)
        # Read from the parser's own message: a parse_int hook would cost a Python call per integer,
        # a third of a second for a 10 MB body of token ids, all of it on the event loop.
        digits = _DIGITS.search(str(exc))
        size = f"of {digits.group(1)} digits" if digits else "too long to read"
        raise WireError(f"the body holds an integer {size}; send a smaller number") from None


def _not_a_number(name: str) -> Any:
    raise WireError(f"the body is not valid JSON: {name} is not a JSON value; send a finite number or null")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise WireError(f"the body holds the number {text[:40]}, too large for a float; send a smaller one")
    return number


async def until_disconnected(request: Request, work: Awaitable[T]) -> T:
    """``work``, cancelled if the client hangs up first: uvicorn lets a handler run on after its
    client has gone, and a call no one waits for still spends the provider's tokens (and, for a list
    of prompts, calls on calls)."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_hung_up(request))
    try:
        await asyncio.wait((task, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        log.info(
            "%s (%s): the client hung up; its call was stopped", request.url.path, request_id(request.scope)
        )
        raise Refused(HttpError(499, "invalid_request_error", "client_closed_request", "the client hung up"))
    return task.result()


async def _hung_up(request: Request) -> None:
    """Returns once the client disconnects (the body has been read: nothing else comes)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
