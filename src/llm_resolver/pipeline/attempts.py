"""The resilience stage: the call's plan (deadline, retries, fallbacks, cool-downs) run over the
backend, one wire form per target. A stream's attempt is its opening and the read up to its first
content, so failures before anything reached the caller are retried like any other.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from llm_resolver.backend.port import AsyncChunkStream, ChunkStream, Reply
from llm_resolver.backend.targets import Target
from llm_resolver.errors import LLMContentPolicyError, LLMError, LLMResponseError
from llm_resolver.pipeline.call import Call
from llm_resolver.pipeline.prepare import needed_context, wire
from llm_resolver.resilience.plan import CallPlan
from llm_resolver.streaming.assembler import StreamAssembler
from llm_resolver.streaming.session import CUT_MESSAGE, OpenStream

if TYPE_CHECKING:
    from llm_resolver.pipeline.core import LLMCore


def plan(core: LLMCore, call: Call) -> CallPlan:
    max_tokens = call.request.max_tokens or core.config.max_tokens or 0
    needed = functools.partial(needed_context, call.request, max_tokens)
    made = core.resilience.plan(call.targets, call.deadline, needed)
    made.attempts.extend(call.skipped)
    return made


def send(core: LLMCore, call: Call, plan: CallPlan) -> tuple[Reply, Target]:
    def attempt(target: Target, seconds: float) -> Reply:
        return refuse_withheld(core.backend.send(target, wire(core, call, target), seconds), target.model)

    with _observed(core, call, plan):
        return core.resilience.run_sync(plan, attempt)


async def asend(core: LLMCore, call: Call, plan: CallPlan) -> tuple[Reply, Target]:
    async def attempt(target: Target, seconds: float) -> Reply:
        reply = await core.backend.asend(target, wire(core, call, target), seconds)
        return refuse_withheld(reply, target.model)

    with _observed(core, call, plan):
        return await core.resilience.run_async(plan, attempt)


def open_stream(core: LLMCore, call: Call, plan: CallPlan) -> OpenStream[ChunkStream]:
    def attempt(target: Target, seconds: float) -> OpenStream[ChunkStream]:
        stream = core.backend.stream(target, wire(core, call, target), seconds)
        session = OpenStream(stream, StreamAssembler(), target)
        try:
            _read_ahead(session)
        except BaseException:
            session.close()
            raise
        return session

    with _observed(core, call, plan):
        session, _ = core.resilience.run_sync(plan, attempt, OpenStream.close)
    return session


async def aopen_stream(core: LLMCore, call: Call, plan: CallPlan) -> OpenStream[AsyncChunkStream]:
    async def attempt(target: Target, seconds: float) -> OpenStream[AsyncChunkStream]:
        stream = await core.backend.astream(target, wire(core, call, target), seconds)
        session = OpenStream(stream, StreamAssembler(), target)
        try:
            await _aread_ahead(session)
        except BaseException:
            await stream.aclose()
            raise
        return session

    with _observed(core, call, plan):
        session, _ = await core.resilience.run_async(plan, attempt)
    return session


@contextlib.contextmanager
def _observed(core: LLMCore, call: Call, plan: CallPlan) -> Iterator[None]:
    """Once the plan has run, each failed attempt goes to the meters and on_error in order, then the
    final error (unless it was one of them)."""
    try:
        yield
    except LLMError as error:
        core.observe.attempts_failed(call.ctx, plan)
        raise core.observe.failed(error, call.ctx, plan) from None
    except BaseException:
        core.observe.attempts_failed(call.ctx, plan)
        raise
    core.observe.attempts_failed(call.ctx, plan)


# Replies the content filter withheld ------------------------------------------------------------


def withheld(model: str) -> LLMContentPolicyError:
    """The error for a reply the provider's filter withheld whole: LiteLLM hands Gemini's SAFETY block
    (``promptFeedback.blockReason`` or a candidate's ``finishReason``), OpenAI's ``content_filter`` and
    Anthropic's ``refusal`` on as an empty success with finish reason ``content_filter``."""
    return LLMContentPolicyError(
        f"the provider's content filter withheld {model}'s reply (finish reason content_filter, such as "
        "Gemini's SAFETY block); change the content (fallbacks are tried only with "
        "retry.fallback_on_content_policy).",
        model=model,
    )


def refuse_withheld(reply: Reply, model: str) -> Reply:
    """``reply``, unless it is empty and finished by the content filter (raised then, inside the
    attempt, so the decision table treats it as the content-policy refusal it is)."""
    if reply.finish_reason == "content_filter" and not reply.message.text and not reply.message.tool_calls:
        raise withheld(model)
    return reply


# Reading a stream up to its first content -------------------------------------------------------


def _read_ahead(session: OpenStream[ChunkStream]) -> None:
    """Read until the first chunk with content, so failures before it can be retried (chunks without
    content, a finish reason alone, are held back with it)."""
    assert session.stream is not None
    for delta in session.stream:
        if _buffer(session, delta):
            return
    _exhausted(session)


async def _aread_ahead(session: OpenStream[AsyncChunkStream]) -> None:
    assert session.stream is not None
    async for delta in session.stream:
        if _buffer(session, delta):
            return
    _exhausted(session)


def _buffer(session: OpenStream[Any], delta: Any) -> bool:
    chunk = session.assembler.add(delta)
    if chunk is None:
        return False
    session.buffered.append(chunk)
    return bool(chunk.text or chunk.tool_calls)


def _exhausted(session: OpenStream[Any]) -> None:
    """A stream that ended before its first chunk; if the provider never finished it, nothing reached
    the caller yet, so it is a retryable bad reply rather than an empty answer; if the content filter
    finished it, a content-policy refusal."""
    session.exhausted = True
    if session.cut_short():
        raise LLMResponseError(
            f"{session.target.model}: {CUT_MESSAGE} before any content; this is usually transient",
            model=session.target.model,
            retryable=True,
        )
    if session.assembler.finish_reason == "content_filter":
        raise withheld(session.target.model)
