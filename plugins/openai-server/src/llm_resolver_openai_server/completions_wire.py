"""OpenAI's legacy text completions (``POST /v1/completions``) over chat requests: each prompt is one
user message, and its answer one choice (a list of prompts gives one choice per prompt, in order)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llm_resolver import ChatChunk, ChatRequest, ChatResponse
from llm_resolver_openai_server.fields import WireError, check_types, model_name, read_fields
from llm_resolver_openai_server.settings import ServerSettings
from llm_resolver_openai_server.wire import chat_request, envelope, extras, include_usage, usage_body

_SAME = ("temperature", "top_p", "max_tokens", "stop", "seed", "frequency_penalty", "presence_penalty")
_TYPES = {
    "n": "integer",
    "best_of": "integer",
    "max_tokens": "integer",
    "seed": "integer",
    "temperature": "number",
    "top_p": "number",
    "frequency_penalty": "number",
    "presence_penalty": "number",
    "stream": "boolean",
    "echo": "boolean",
    "user": "string",
    "logit_bias": "object",
}
_TAKEN = frozenset({"model", "prompt", "stream_options", *_TYPES, "stop"})
_REFUSED = {
    "suffix": "suffix (insertion) is not taken; send the whole prompt",
    "logprobs": "logprobs is not taken: this server returns no log probabilities",
}


@dataclass(frozen=True)
class CompletionsCall:
    model: str
    requests: list[ChatRequest]  # one per prompt
    stream: bool
    include_usage: bool
    ignored: tuple[str, ...]


def completions_call(body: Any, max_prompts: int = ServerSettings.max_prompts) -> CompletionsCall:
    """Each prompt is an upstream call, so a list is held to ``max_prompts``: a small body must not
    buy an unbounded run of calls."""
    fields, ignored = read_fields(body, _TAKEN, frozenset(), _REFUSED)
    model = model_name(fields)
    prompt = fields.get("prompt")
    prompts = [prompt] if isinstance(prompt, str) else prompt
    if not isinstance(prompts, list) or not prompts or not all(isinstance(p, str) and p for p in prompts):
        raise WireError(
            "prompt must be a non-empty string or a non-empty list of them (token arrays are not taken)",
            "prompt",
        )
    if len(prompts) > max_prompts:
        raise WireError(
            f"prompt holds {len(prompts)} prompts; this server takes at most {max_prompts} per request "
            "(its max_prompts setting): send the rest in further requests",
            "prompt",
        )
    check_types(fields, _TYPES)
    for name in ("n", "best_of"):
        if fields.get(name, 1) != 1:
            raise WireError(f"{name} must be 1: this server returns one choice per prompt", name)
    if fields.get("echo") is True:
        raise WireError("echo must be false: this server does not repeat the prompt", "echo")
    same = {name: fields[name] for name in _SAME if name in fields}
    passed = {"logit_bias": fields["logit_bias"]} if "logit_bias" in fields else {}
    requests = [
        chat_request([{"role": "user", "content": p}], same, passed, fields.get("user")) for p in prompts
    ]
    stream = fields.get("stream", False)
    return CompletionsCall(model, requests, stream, include_usage(fields.get("stream_options")), ignored)


def completion_body(responses: list[ChatResponse], model: str, completion_id: str) -> dict[str, Any]:
    choices = [
        {"text": r.text, "index": i, "logprobs": None, "finish_reason": r.finish_reason}
        for i, r in enumerate(responses)
    ]
    return {**envelope("text_completion", completion_id, model, choices), **totals(responses)}


def chunk_body(chunk: ChatChunk, index: int, model: str, completion_id: str) -> dict[str, Any]:
    choice = {"text": chunk.text, "index": index, "logprobs": None, "finish_reason": chunk.finish_reason}
    return envelope("text_completion", completion_id, model, [choice])


def usage_chunk_body(responses: list[ChatResponse], model: str, completion_id: str) -> dict[str, Any]:
    return {**envelope("text_completion", completion_id, model, []), **totals(responses)}


def totals(responses: list[ChatResponse]) -> dict[str, Any]:
    """Usage summed over the prompts; the extras of each prompt's answer, attempts in prompt order."""
    usage = sum((r.usage for r in responses[1:]), responses[0].usage)
    each = [extras(r) for r in responses]
    costs = [e["cost_usd"] for e in each]
    return {
        "usage": usage_body(usage),
        "llm_resolver": {
            "model": each[0]["model"],
            "cost_usd": None if None in costs else sum(costs),
            "cached": all(e["cached"] for e in each),
            "attempts": [a for e in each for a in e["attempts"]],
        },
    }
