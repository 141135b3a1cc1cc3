"""``x-request-id`` on every response, as OpenAI sends it (its SDKs show it as ``_request_id``).

A client's own id is echoed only when it is a short token of safe characters; anything else (a header
injection attempt, a megabyte of text) gets a fresh id instead, so logs and replies stay clean."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_KEY = "llm_resolver.request_id"  # where the id is kept in the ASGI scope, once chosen


def request_id(scope: Scope) -> str:
    """The request's id: the client's when safe, else a new one; the same on every call."""
    chosen = scope.get(_KEY)
    if isinstance(chosen, str):
        return chosen
    given = Headers(scope=scope).get(HEADER, "")
    chosen = given if _SAFE.fullmatch(given) else f"req_{uuid.uuid4().hex}"
    scope[_KEY] = chosen
    return chosen


class RequestIds:
    """ASGI middleware: adds ``x-request-id`` to every HTTP response that has none yet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if HEADER not in headers:
                    headers[HEADER] = request_id(scope)
            await send(message)

        await self.app(scope, receive, sending)
