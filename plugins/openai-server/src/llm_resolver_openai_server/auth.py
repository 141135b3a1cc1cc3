"""The server's own auth dependency (bearer keys, each optionally held to a scope), the rule that a
server without keys answers only this machine — on every path, whatever serves the application — and
the rule that a web page of another site may not drive the server through a visitor's browser."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

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
# Headers a reverse proxy, CDN or tunnel adds (nginx, Cloudflare and its tunnels, Akamai, Fastly, ...):
# behind one, a loopback peer is no proof of a local client.
_FORWARDED = (
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-real-ip",
    "via",
    "cf-connecting-ip",
    "true-client-ip",
    "fastly-client-ip",
    "x-client-ip",
    "x-cluster-client-ip",
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_METHODS = ("GET", "HEAD")


def key_auth(keys: Keys, origins: tuple[str, ...] = ()) -> Callable[[Request], Caller]:
    """A FastAPI dependency: the caller an ``Authorization: Bearer <key>`` names, held to that key's
    scope. Without keys, any caller on this machine (anonymous) that no other site's page sent, and no
    one else; ``origins``: the web origins allowed besides the server's own."""

    def caller(request: Request) -> Caller:
        if not keys:
            refusal = local_refusal(request) or browser_refusal(request, origins)
            if refusal is not None:
                raise Refused(refusal)
            return Caller()
        key, held = holder(request.headers.get("Authorization", ""), keys)
        if key is None:
            raise Refused(_NO_KEY)
        return Caller.holding(key, held)

    return caller


def is_local(connection: HTTPConnection) -> bool:
    peer = connection.client.host if connection.client else None
    return is_loopback(peer) and not any(name in connection.headers for name in _FORWARDED)


def local_refusal(connection: HTTPConnection) -> HttpError | None:
    """Why a server without keys refuses this request (None: it does not). A peer off this machine, or
    one a proxy forwarded; or a ``Host`` that is not a loopback name, which is what a page of another
    site sends once it has rebound its own name to 127.0.0.1 (DNS rebinding)."""
    if not is_local(connection):
        return KEYLESS
    host = connection.headers.get("host")
    if host is None or is_loopback(_authority(host, _scheme(connection))[0]):
        return None
    return HttpError(
        403,
        "permission_error",
        "host_not_allowed",
        f"Host {_quoted(host)} is not a loopback name: a server without API keys answers only requests "
        "addressed to localhost, 127.0.0.1 or [::1] (a page of another site that rebinds its name to "
        f"this machine sends its own); use one of those in the URL, or configure keys ({KEYS_VAR})",
        "Host",
    )


def browser_refusal(connection: HTTPConnection, origins: tuple[str, ...]) -> HttpError | None:
    """Why this request looks sent by a page of another site through a visitor's browser (None: it
    does not): an ``Origin`` that is neither this server's (the one ``Host`` names) nor in ``origins``,
    or ``Sec-Fetch-Site: cross-site``. Such a page may send a POST without any preflight (CSRF), so
    the server refuses before reading the body. A top-level GET navigation (a link to the playground)
    is let through: it carries no body and its page cannot read the answer."""
    headers = connection.headers
    origin = headers.get("origin")
    if origin is not None:
        if origin.lower() in origins or _same_origin(origin, headers.get("host"), _scheme(connection)):
            return None
        return _cross_origin(
            f"Origin {_quoted(origin)} is not this server's own (Host {_quoted(headers.get('host', ''))})",
            "Origin",
        )
    navigating = headers.get("sec-fetch-mode") == "navigate" and headers.get("sec-fetch-dest") == "document"
    if headers.get("sec-fetch-site") == "cross-site" and not (
        navigating and connection.scope.get("method") in _SAFE_METHODS
    ):
        return _cross_origin(
            "the request came from a page of another site (Sec-Fetch-Site: cross-site)", "Sec-Fetch-Site"
        )
    return None


def _cross_origin(why: str, header: str) -> HttpError:
    message = (
        f"{why}; this server answers web pages of its own origin only, so another site cannot use it "
        "through a visitor's browser. Open the page from this server's address, or allow its origin "
        "(ServerSettings.allowed_origins, llm-resolver serve --allowed-origin)"
    )
    return HttpError(403, "permission_error", "cross_origin_refused", message, header)


def _same_origin(origin: str, host: str | None, scheme: str) -> bool:
    """Whether ``origin`` names the host and port ``host`` does (its scheme is left aside: behind a
    TLS proxy the server sees http for a page served over https)."""
    if host is None:
        return False
    try:
        parts = urlsplit(origin)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            return False
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return False
    name, given = _authority(host, parts.scheme)
    return name == parts.hostname and (given or _DEFAULT_PORTS[parts.scheme]) == port


def _authority(host: str, scheme: str) -> tuple[str, int | None]:
    """A ``Host`` header's name (lowercase, IPv6 without brackets) and port (None: none given)."""
    try:
        parts = urlsplit(f"{scheme}://{host}")
        return parts.hostname or "", parts.port
    except ValueError:
        return "", None


def _quoted(value: str) -> str:
    """A header a client sent, quoted in its error: short, so an answer does not grow with it."""
    return repr(value if len(value) <= 100 else value[:100] + "...")


class LocalOnly:
    """ASGI middleware for an application without keys: a request from off this machine, one a proxy
    forwarded, or one addressed to a name that is not loopback, is a 403 on every path (health and
    unknown paths included)."""

    def __init__(self, app: ASGIApp, keys: Keys) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = None
        if scope["type"] == "http" and not self.keys:
            refusal = local_refusal(HTTPConnection(scope))
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class SameOrigin:
    """ASGI middleware: a request a page of another site sent through a visitor's browser (see
    ``browser_refusal``) is a 403 on every path, keys or not."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...] = ()) -> None:
        self.app, self.origins = app, origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = browser_refusal(HTTPConnection(scope), self.origins) if scope["type"] == "http" else None
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _scheme(connection: HTTPConnection) -> str:
    return str(connection.scope.get("scheme", "http"))
