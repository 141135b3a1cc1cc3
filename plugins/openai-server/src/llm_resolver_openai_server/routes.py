"""``router(deps, auth=...)``: the OpenAI-compatible routes as a FastAPI ``APIRouter`` — chat
completions (JSON and SSE), legacy completions, the Responses API, embeddings and models.

A host mounts it in its own FastAPI application beside its other routers, with its own auth
dependency (a FastAPI dependency returning a ``Caller``); without one, the server's bearer keys apply.
Each name in the spec is a model clients ask for; the scope header (``X-LLM-Scope``,
``org/guild/agent``) picks the scope the LLM is resolved, metered and budgeted for, within the
caller's own."""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from llm_resolver import (
    LLM,
    AsyncChatStream,
    ChatChunk,
    ChatRequest,
    ChatResponse,
    Dependencies,
    LLMError,
    aclose_clients,
)
from llm_resolver.redaction import redact
from llm_resolver_openai_server import completions_wire, tokens, wire
from llm_resolver_openai_server.auth import key_auth
from llm_resolver_openai_server.errors import INTERNAL, SHUTTING_DOWN, HttpError, Refused
from llm_resolver_openai_server.responses_wire import ResponseEvents, response_body, responses_call
from llm_resolver_openai_server.routing import OpenAIRoute, llm_failure, log, read_json, until_disconnected
from llm_resolver_openai_server.server_deps import Caller, ServerDeps
from llm_resolver_openai_server.settings import ServerSettings
from llm_resolver_openai_server.sse import DONE, EventStream, event

Auth = Callable[..., Any]


def router(
    deps: Dependencies | ServerDeps, auth: Auth | None = None, settings: ServerSettings | None = None
) -> APIRouter:
    """The routes for ``deps`` (a ``Dependencies``, or the ``ServerDeps`` an app shares between its
    routers). ``auth``: a FastAPI dependency returning the ``Caller``; default: the settings' keys."""
    server = ServerDeps.of(deps, settings)
    settings = server.settings
    auth = auth or key_auth(settings.api_keys, settings.allowed_origins)
    api = APIRouter(route_class=OpenAIRoute, lifespan=_lifespan)
    header = settings.scope_header

    async def authorized(caller: Annotated[Any, Depends(auth)]) -> Caller:
        return _caller(caller)

    Authorized = Annotated[Caller, Depends(authorized)]

    async def llm_for(request: Request, caller: Caller, model: str) -> LLM:
        return await server.llm(caller, model, request.headers.get(header, ""))

    @api.get("/v1/models")
    async def models(caller: Authorized) -> Response:
        return JSONResponse({"object": "list", "data": [_model(name) for name in server.models]})

    @api.get("/v1/models/{model_id:path}")  # a spec name may hold a slash
    async def model(model_id: str, caller: Authorized) -> Response:
        server.known(model_id)
        return JSONResponse(_model(model_id))

    @api.post("/v1/chat/completions")
    async def chat(request: Request, caller: Authorized) -> Response:
        call = wire.chat_call(await read_json(request, settings))
        llm = await llm_for(request, caller, call.model)
        if not call.stream:
            response = await until_disconnected(request, llm.acomplete(call.request))
            return JSONResponse(wire.completion_body(response, call.model), headers=_ignored(call.ignored))
        stream, first = await _opened(llm, call.request)
        return EventStream(
            _chat_events(request, stream, first, call),
            server.drain,
            lambda: event(SHUTTING_DOWN.body()),
            _ignored(call.ignored),
        )

    @api.post("/v1/completions")
    async def completions(request: Request, caller: Authorized) -> Response:
        call = completions_wire.completions_call(await read_json(request, settings), settings.max_prompts)
        llm = await llm_for(request, caller, call.model)
        completion_id = wire.new_id("cmpl")
        if not call.stream:
            answers = await until_disconnected(request, _each(llm, call.requests))
            body = completions_wire.completion_body(answers, call.model, completion_id)
            return JSONResponse(body, headers=_ignored(call.ignored))
        stream, first = await _opened(llm, call.requests[0])
        return EventStream(
            _completion_events(request, llm, stream, first, call, completion_id),
            server.drain,
            lambda: event(SHUTTING_DOWN.body()),
            _ignored(call.ignored),
        )

    @api.post("/v1/responses")
    async def responses(request: Request, caller: Authorized) -> Response:
        call = responses_call(await read_json(request, settings))
        llm = await llm_for(request, caller, call.model)
        if not call.stream:
            response = await until_disconnected(request, llm.acomplete(call.request))
            body = response_body(response, call, wire.new_id("resp", "_"))
            return JSONResponse(body, headers=_ignored(call.ignored))
        stream, first = await _opened(llm, call.request)
        writer = ResponseEvents(call)
        return EventStream(
            _response_events(request, writer, stream, first),
            server.drain,
            lambda: writer.failed(SHUTTING_DOWN),
            _ignored(call.ignored),
        )

    @api.post("/v1/embeddings")
    async def embeddings(request: Request, caller: Authorized) -> Response:
        call = wire.embeddings_call(await read_json(request, settings))
        llm = await llm_for(request, caller, call.model)
        texts = call.texts or await tokens.decode(tokens.embedding_model(llm), call.tokens)
        response = await until_disconnected(request, llm.aembed(texts, **call.options))
        return JSONResponse(
            wire.embeddings_body(response, call.model, call.base64), headers=_ignored(call.ignored)
        )

    return api


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """LiteLLM is loaded at start-up (seconds, on a busy machine), so the first request does not wait
    for the import; its async clients belong to the serving loop, so they close when the app stops."""
    from llm_resolver.backend.loader import litellm

    await asyncio.to_thread(litellm)
    yield
    await aclose_clients()


async def _each(llm: LLM, requests: list[ChatRequest]) -> list[ChatResponse]:
    """The prompts' answers, one call after another (in order, so a failure stops the rest)."""
    return [await llm.acomplete(r) for r in requests]


def _caller(value: Any) -> Caller:
    if not isinstance(value, Caller):
        message = (
            f"the auth dependency returned a {type(value).__name__}, not a Caller; fix the server's auth"
        )
        raise Refused(HttpError(500, "server_error", "server_misconfigured", message))
    return value


def _model(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "llm-resolver"}


def _ignored(names: tuple[str, ...]) -> dict[str, str]:
    """The header naming the body fields this server accepted and did not act on."""
    return {wire.IGNORED_HEADER: ",".join(names)} if names else {}


async def _opened(llm: LLM, request: ChatRequest) -> tuple[AsyncChatStream, ChatChunk | None]:
    """The stream and its first chunk: a failure before it is a plain HTTP error, not an event."""
    stream = llm.astream(request)
    try:
        return stream, await anext(aiter(stream), None)
    except BaseException:
        await stream.aclose()
        raise


async def _chat_events(
    request: Request, stream: AsyncChatStream, first: ChatChunk | None, call: wire.ChatCall
) -> AsyncGenerator[bytes, None]:
    """After the first chunk, a failure can only be an error event ending the stream (no [DONE])."""
    stream_id = wire.new_stream_id()
    try:
        if first is not None:
            yield event(wire.chunk_body(first, call.model, stream_id, first=True))
            async for chunk in stream:
                yield event(wire.chunk_body(chunk, call.model, stream_id, first=False))
        if call.include_usage:
            yield event(wire.usage_chunk_body(stream.response, call.model, stream_id))
        yield DONE
    except Exception as exc:
        yield event(_failure(request, exc).body())
    finally:
        await stream.aclose()


async def _completion_events(
    request: Request,
    llm: LLM,
    stream: AsyncChatStream,
    first: ChatChunk | None,
    call: completions_wire.CompletionsCall,
    completion_id: str,
) -> AsyncGenerator[bytes, None]:
    """Each prompt's answer in turn, as the choice of its index."""
    answers = []
    try:
        for index, request_of in enumerate(call.requests):
            if index:
                await stream.aclose()
                stream, first = await _opened(llm, request_of)
            if first is not None:
                yield event(completions_wire.chunk_body(first, index, call.model, completion_id))
                async for chunk in stream:
                    yield event(completions_wire.chunk_body(chunk, index, call.model, completion_id))
            answers.append(stream.response)
        if call.include_usage:
            yield event(completions_wire.usage_chunk_body(answers, call.model, completion_id))
        yield DONE
    except Exception as exc:
        yield event(_failure(request, exc).body())
    finally:
        await stream.aclose()


async def _response_events(
    request: Request, writer: ResponseEvents, stream: AsyncChatStream, first: ChatChunk | None
) -> AsyncGenerator[bytes, None]:
    try:
        for data in writer.start():
            yield data
        if first is not None:
            for data in writer.chunk(first):
                yield data
            async for chunk in stream:
                for data in writer.chunk(chunk):
                    yield data
        for data in writer.complete(stream.response):
            yield data
    except Exception as exc:
        yield writer.failed(_failure(request, exc))
    finally:
        await stream.aclose()


def _failure(request: Request, exc: Exception) -> HttpError:
    if isinstance(exc, LLMError):
        return llm_failure(exc, request)
    log.error("stream %s failed: %s", request.url.path, redact(f"{type(exc).__name__}: {exc}"))
    return INTERNAL
