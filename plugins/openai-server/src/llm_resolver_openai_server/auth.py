"""The server's own auth dependency (bearer keys, each optionally held to a scope), and the rule that
a server without keys answers only this machine — on every path, whatever serves the application."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from llm_resolver.addresses import is_loopback
from llm_resolver_openai_server.access import KEYS_VAR, Keys, holder
from llm_resolver_openai_server.errors import HttpError, Refused, error_response
from llm_resolver_openai_server.server_deps import Caller

KEYLESS = HttpError(
    403,
    "permission_error",
    "api_keys_required",
    "this server has no API keys, so it answers only clients on its own machine; configure keys "
    f"({KEYS_VAR}, or ServerSettings.api_keys) to serve others",
)
_NO_KEY = HttpError(
    401,
    "invalid_request_error",
    "invalid_api_key",
    "a valid API key is required: send Authorization: Bearer <key>",
)
# Headers a reverse proxy adds: behind one, a loopback peer is no proof of a local client.
_FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")


def key_auth(keys: Keys) -> Callable[[Request], Caller]:
    """A FastAPI dependency: the caller an ``Authorization: Bearer <key>`` names, held to that key's
    scope. Without keys, any caller on this machine (anonymous), and no one else."""

    def caller(request: Request) -> Caller:
        if not keys:
            if not is_local(request):
                raise Refused(KEYLESS)
            return Caller()
        key, held = holder(request.headers.get("Authorization", ""), keys)
        if key is None:
            raise Refused(_NO_KEY)
        return Caller.holding(key, held)

    return caller


def is_local(connection: HTTPConnection) -> bool:
    peer = connection.client.host if connection.client else None
    return is_loopback(peer) and not any(name in connection.headers for name in _FORWARDED)


class LocalOnly:
    """ASGI middleware for an application without keys: a request from off this machine, or one a
    proxy forwarded, is a 403 on every path (health and unknown paths included)."""

    def __init__(self, app: ASGIApp, keys: Keys) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.keys and not is_local(HTTPConnection(scope)):
            await error_response(KEYLESS)(scope, receive, send)
            return
        await self.app(scope, receive, send)
