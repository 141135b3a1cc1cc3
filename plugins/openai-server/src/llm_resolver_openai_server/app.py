"""The aiohttp application: ``/v1/chat/completions`` (JSON and SSE), ``/v1/embeddings``, ``/v1/models``.

Each name in the Dependencies spec is a model clients can ask for; the ``X-LLM-Scope`` header
(``org/guild/agent``) picks the scope the LLM is resolved, metered and budgeted for. Every failure is
an OpenAI-style JSON error, so OpenAI clients read it (and retry 429s and 5xx) as they would OpenAI's.
An application without keys answers only clients on this machine, whatever runs it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from llm_resolver import LLM, Dependencies, LLMError, Scope, SpecError, aclose_clients
from llm_resolver.redaction import redact
from llm_resolver_openai_server import wire
from llm_resolver_openai_server.access import (
    KEYS_VAR,
    Forbidden,
    Keys,
    ScopeBook,
    holder,
    is_loopback,
    scope_for,
)
from llm_resolver_openai_server.errors import HttpError, Refused, from_llm_error, invalid_request

log = logging.getLogger("llm_resolver_openai_server")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ServerSettings:
    """``api_keys``: the bearer tokens clients must send, each mapped to the scope it is held to (None:
    any scope); no keys means no authentication, for loopback clients only. ``max_scopes_per_key``: how
    many distinct scopes one key (or, without keys, the caller) may use; each holds state."""

    api_keys: Keys = field(default_factory=dict)
    scope_header: str = "X-LLM-Scope"
    max_body_bytes: int = 32 * 2**20
    max_scopes_per_key: int = 1000

    def __post_init__(self) -> None:
        limit = self.max_scopes_per_key
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise SpecError(
                f"max_scopes_per_key must be a positive int, got {limit!r}", field="max_scopes_per_key"
            )

    def __repr__(self) -> str:
        return (
            f"ServerSettings(api_keys=<{len(self.api_keys)} hidden>, scope_header={self.scope_header!r}, "
            f"max_scopes_per_key={self.max_scopes_per_key})"
        )


_INTERNAL = HttpError(500, "server_error", None, "internal error; the server log has the details")
_KEYLESS = HttpError(
    403,
    "permission_error",
    "api_keys_required",
    "this server has no API keys, so it answers only clients on its own machine; configure keys "
    f"({KEYS_VAR}, or ServerSettings.api_keys) to serve others",
)
# Headers a reverse proxy adds: behind one, a loopback peer is no proof of a local client.
_FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
_KEY: web.RequestKey[str | None] = web.RequestKey("api_key")
_HELD: web.RequestKey[Scope | None] = web.RequestKey("held_scope")
_DEPS = web.AppKey("dependencies", Dependencies)
_SETTINGS = web.AppKey("settings", ServerSettings)
_SCOPES = web.AppKey("scopes", ScopeBook)


def create_app(deps: Dependencies, settings: ServerSettings | None = None) -> web.Application:
    """The application for ``deps``; every spec is validated now, so a bad one fails at start-up."""
    for name in deps.specs:
        deps.resolver(name)
    settings = settings or ServerSettings()
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[_guard])
    app[_DEPS] = deps
    app[_SETTINGS] = settings
    app[_SCOPES] = ScopeBook(settings.max_scopes_per_key)
    app.router.add_get("/v1/models", _models)
    app.router.add_post("/v1/chat/completions", _chat)
    app.router.add_post("/v1/embeddings", _embeddings)
    app.router.add_get("/healthz", _health)
    app.on_shutdown.append(_close_clients)
    return app


def api_keys(app: web.Application) -> Keys:
    """The keys an application from ``create_app`` asks for (none, for any other application)."""
    settings = app.get(_SETTINGS)
    return settings.api_keys if settings is not None else {}


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Who may call first; then every failure becomes an OpenAI-style JSON error."""
    settings = request.app[_SETTINGS]
    if not settings.api_keys and not _local(request):
        return _error(_KEYLESS)
    key, held = holder(request.headers.get("Authorization", ""), settings.api_keys)
    request[_KEY], request[_HELD] = key, held
    if settings.api_keys and request.path != "/healthz" and key is None:
        return _error(
            HttpError(
                401,
                "invalid_request_error",
                "invalid_api_key",
                "a valid API key is required: send Authorization: Bearer <key>",
            )
        )
    try:
        return await handler(request)
    except Refused as exc:
        return _error(exc.error)
    except Forbidden as exc:
        return _error(
            HttpError(403, "permission_error", "scope_not_allowed", str(exc), settings.scope_header)
        )
    except wire.WireError as exc:
        return _error(invalid_request(str(exc), exc.param))
    except LLMError as exc:
        return _error(_answer(exc, request.path))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error(
            HttpError(
                exc.status, "invalid_request_error", None, f"{exc.reason}: {request.method} {request.path}"
            )
        )
    except Exception as exc:
        log.error(
            "request %s %s failed: %s", request.method, request.path, redact(f"{type(exc).__name__}: {exc}")
        )
        return _error(_INTERNAL)


def _local(request: web.Request) -> bool:
    return is_loopback(request.remote) and not any(name in request.headers for name in _FORWARDED)


def _answer(error: LLMError, where: str) -> HttpError:
    """The client's error; the full one, with what the provider said, goes to the server's log."""
    answer = from_llm_error(error)
    log.log(logging.WARNING if answer.status >= 500 else logging.INFO, "%s: %s", where, error)
    return answer


async def _models(request: web.Request) -> web.Response:
    deps = request.app[_DEPS]
    data = [
        {"id": name, "object": "model", "created": 0, "owned_by": "llm-resolver"}
        for name in sorted(deps.specs)
    ]
    return web.json_response({"object": "list", "data": data})


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _chat(request: web.Request) -> web.StreamResponse:
    call = wire.chat_call(await _body(request))
    llm = await _llm(request, call.model)
    if not call.stream:
        response = await llm.acomplete(call.request)
        return web.json_response(wire.completion_body(response, call.model), headers=_ignored(call.ignored))
    return await _stream(request, llm, call)


async def _stream(request: web.Request, llm: LLM, call: wire.ChatCall) -> web.StreamResponse:
    """Failures before the first chunk are plain HTTP errors; after it, an error event ends the stream."""
    async with llm.astream(call.request) as stream:
        chunks = aiter(stream)
        try:
            first = await anext(chunks)
        except StopAsyncIteration:
            first = None
        out = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                **_ignored(call.ignored),
            }
        )
        await out.prepare(request)
        stream_id = wire.new_stream_id()
        try:
            if first is not None:
                await _event(out, wire.chunk_body(first, call.model, stream_id, first=True))
                async for chunk in chunks:
                    await _event(out, wire.chunk_body(chunk, call.model, stream_id, first=False))
            if call.include_usage:
                await _event(out, wire.usage_chunk_body(stream.response, call.model, stream_id))
            await out.write(b"data: [DONE]\n\n")
        except LLMError as exc:
            await _event(out, _answer(exc, request.path).body())
        except ConnectionError:
            return out  # the client left: leaving the block closes the provider's stream too
        except Exception as exc:  # the headers are sent: the error can only be an event now
            log.error("stream for %s failed: %s", call.model, redact(f"{type(exc).__name__}: {exc}"))
            await _event(out, _INTERNAL.body())
        await out.write_eof()
        return out


async def _embeddings(request: web.Request) -> web.Response:
    call = wire.embeddings_call(await _body(request))
    llm = await _llm(request, call.model)
    response = await llm.aembed(call.texts, **call.options)
    return web.json_response(
        wire.embeddings_body(response, call.model, call.base64), headers=_ignored(call.ignored)
    )


async def _llm(request: web.Request, model: str) -> LLM:
    deps, settings = request.app[_DEPS], request.app[_SETTINGS]
    if model not in deps.specs:
        known = ", ".join(sorted(deps.specs))
        message = f"model {model!r} does not exist; this server has: {known}"
        raise Refused(invalid_request(message, "model", status=404, code="model_not_found"))
    try:
        scope = scope_for(request.headers.get(settings.scope_header, ""), request[_HELD])
    except ValueError as exc:
        raise wire.WireError(f"{settings.scope_header}: {exc}", settings.scope_header) from None
    scopes, key = request.app[_SCOPES], request[_KEY]
    if not scopes.admit(key, scope):
        message = (
            f"{'this key' if key else 'a caller without a key'} has used its {scopes.limit} scopes; "
            "reuse one of them, or raise the server's max_scopes_per_key (llm-resolver serve "
            "--max-scopes-per-key)"
        )
        # OpenAI's SDKs retry a 429 unless x-should-retry tells them waiting cannot help
        no_retry = {"x-should-retry": "false"}
        raise Refused(
            HttpError(429, "rate_limit_error", "too_many_scopes", message, settings.scope_header, no_retry)
        )
    llm = await deps.aget(model, scope)
    if not isinstance(llm, LLM):
        message = (
            f"dependency {model!r} resolves to a {type(llm).__name__}, not an LLM; fix the server's spec"
        )
        raise Refused(HttpError(500, "server_error", "server_misconfigured", message))
    held = request[_HELD]
    charge = getattr(llm, "charged_at", None)
    if held is not None and held != scope and callable(charge):
        # A held key's budget is its scope's, whatever sub-scope it names: no fresh budget per name.
        charged: LLM = charge(held)
        return charged
    return llm


async def _body(request: web.Request) -> Any:
    try:
        return await request.json()
    except json.JSONDecodeError as exc:
        raise wire.WireError(f"the body is not valid JSON ({exc.msg} at char {exc.pos})") from None


async def _event(out: web.StreamResponse, payload: dict[str, Any]) -> None:
    await out.write(b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n")


def _ignored(names: tuple[str, ...]) -> dict[str, str]:
    """The header naming the body fields this server accepted and did not act on."""
    return {wire.IGNORED_HEADER: ",".join(names)} if names else {}


def _error(error: HttpError) -> web.Response:
    return web.json_response(error.body(), status=error.status, headers=error.headers)


async def _close_clients(app: web.Application) -> None:
    await aclose_clients()
