"""``create_app(deps)``: the server as a FastAPI (ASGI) application, for ``llm-resolver serve``,
``RunningServer`` or any ASGI server (``uvicorn module:app``).

It is the ``router`` behind the server's own bearer keys, plus ``/healthz``, JSON 404/405 answers and
``x-request-id`` on every response. An application without keys answers only clients on this
machine, whatever serves it; no application answers a page of another site's (CSRF). Further routers
of this package join with ``app.include_router``, each built from the same ``ServerDeps``
(``app.state.llm_resolver``) and ``auth``."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from llm_resolver import Dependencies
from llm_resolver_openai_server.access import Keys
from llm_resolver_openai_server.auth import LocalOnly, SameOrigin, key_auth
from llm_resolver_openai_server.catalog_routes import catalog_router
from llm_resolver_openai_server.errors import HttpError, error_response
from llm_resolver_openai_server.playground import playground_router
from llm_resolver_openai_server.request_ids import RequestIds
from llm_resolver_openai_server.routes import router
from llm_resolver_openai_server.server_deps import ServerDeps
from llm_resolver_openai_server.settings import ServerSettings


def create_app(deps: Dependencies | ServerDeps, settings: ServerSettings | None = None) -> FastAPI:
    """The application for ``deps``; every spec is validated now, so a bad one fails at start-up."""
    server = ServerDeps.of(deps, settings)
    app = FastAPI(title="llm-resolver", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.llm_resolver = server
    auth = key_auth(server.settings.api_keys, server.settings.allowed_origins)
    app.include_router(router(server, auth=auth))
    app.include_router(catalog_router(server, auth=auth))
    app.include_router(playground_router())
    app.add_api_route("/healthz", _health, methods=["GET"])
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_middleware(SameOrigin, origins=server.settings.allowed_origins)
    app.add_middleware(LocalOnly, keys=server.settings.api_keys)
    app.add_middleware(RequestIds)
    return app


def server_deps(app: ASGIApp) -> ServerDeps | None:
    """The ``ServerDeps`` of an application from ``create_app`` (None for any other application)."""
    state = getattr(app, "state", None)
    found = getattr(state, "llm_resolver", None)
    return found if isinstance(found, ServerDeps) else None


def api_keys(app: ASGIApp) -> Keys:
    """The keys an application from ``create_app`` asks for (none, for any other application)."""
    server = server_deps(app)
    return server.settings.api_keys if server is not None else {}


async def _health() -> Response:
    return JSONResponse({"status": "ok"})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    """Unknown paths and methods, as OpenAI-style JSON."""
    message = f"{exc.detail}: {request.method} {request.url.path}"
    return error_response(
        HttpError(exc.status_code, "invalid_request_error", None, message, headers=dict(exc.headers or {}))
    )
