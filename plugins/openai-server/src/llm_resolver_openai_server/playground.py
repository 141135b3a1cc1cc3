"""``playground_router``: the ``/playground`` page, a person's way to try the server's models in a
browser. Plain HTML, CSS and ES modules shipped in this package: no build step, nothing fetched from
elsewhere. The page calls the server's own API with the key the person types in, so it needs no auth
of its own; its assets are an allow-list read once from the package, so no path reaches the disk."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from llm_resolver_openai_server.errors import invalid_request

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# The page may load only its own files and talk only to this server; images may be data URLs (the
# ones a person attaches).
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def playground_router() -> APIRouter:
    """``GET /playground`` (the page) and ``GET /playground/<asset>``; mount it beside the API router,
    under the same prefix, since the page finds the API at ``../v1/`` from its own address."""
    static = resources.files(__package__) / "static"
    assets: dict[str, tuple[bytes, str]] = {}
    for item in static.iterdir():
        kind = _TYPES.get("." + item.name.rpartition(".")[2])
        if kind is not None:
            assets[item.name] = (item.read_bytes(), kind)
    router = APIRouter(include_in_schema=False)

    @router.get("/playground")
    def page() -> Response:
        return _served(*assets["index.html"])

    @router.get("/playground/{name}")
    def asset(name: str) -> Response:
        if name not in assets or name == "index.html":
            error = invalid_request(f"the playground has no file {name!r}", status=404, code="not_found")
            return JSONResponse(error.body(), status_code=404)
        return _served(*assets[name])

    return router


def _served(content: bytes, media_type: str) -> Response:
    return Response(content, media_type=media_type, headers=_HEADERS)
