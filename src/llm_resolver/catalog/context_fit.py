"""The context pre-check: a request known not to fit a model is never sent to it.

Counting with a tokenizer costs CPU (and a one-off tokenizer load), so an upper bound comes first:
a BPE token is at least one byte, so a request whose JSON is shorter than the room left fits for sure
and is not counted. Images are left out of the count, which keeps it a lower bound: we refuse only
what certainly cannot fit and let the provider judge the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from llm_resolver.backend.targets import Target
from llm_resolver.errors import LLMContextWindowError
from llm_resolver.tokens import prompt_tokens, text_only
from llm_resolver.types.request import ChatRequest
from llm_resolver.types.responses import Attempt


def fit_targets(
    targets: Sequence[Target],
    request: ChatRequest,
    max_tokens: int,
    context_size: Callable[[str], int | None],
) -> tuple[list[Target], list[Attempt]]:
    """The chain from the first target the request fits, and a ``skipped`` attempt for each before it.

    Raises ``LLMContextWindowError`` (before any network call) when it fits none of them.
    """
    texts = text_only(request.messages_openai())
    tools = request.tools_openai() or []
    bound = len(json.dumps(texts)) + (len(json.dumps(tools)) if tools else 0)
    skipped: list[Attempt] = []
    refusals: list[str] = []
    for index, target in enumerate(targets):
        size = context_size(target.model)
        if size is None or bound + max_tokens <= size:
            return list(targets[index:]), skipped
        needed = _counted(target.model, request)
        if needed is None or needed + max_tokens <= size:
            return list(targets[index:]), skipped
        why = f"context window {size} < {needed + max_tokens} tokens needed"
        skipped.append(Attempt(model=target.model, outcome="skipped", detail=why))
        refusals.append(f"{target.model} holds {size} but it needs {needed} prompt + {max_tokens} max_tokens")
    error = LLMContextWindowError(
        f"the request does not fit the context window ({'; '.join(refusals)}); shorten the prompt, lower "
        "max_tokens, or add a fallback model with a larger context. Nothing was sent.",
        model=targets[0].model if targets else None,
        retryable=False,
    )
    error.attempts = skipped
    raise error


def _counted(model: str, request: ChatRequest) -> int | None:
    try:
        return prompt_tokens(model, request, images=False)
    except Exception:  # a tokenizer problem must not block the call; the provider still checks
        return None
