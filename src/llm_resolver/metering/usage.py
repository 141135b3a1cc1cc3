"""Usage for replies the provider sent none for, counted with the model's tokenizer."""

from __future__ import annotations

from llm_resolver.tokens import prompt_tokens, text_tokens
from llm_resolver.types.request import ChatRequest
from llm_resolver.types.responses import Usage


def counted_usage(model: str, req: ChatRequest, text: str) -> Usage:
    """For a stream without usage (or cut short): the prompt and the text received, counted."""
    try:
        prompt = prompt_tokens(model, req)
        completion = text_tokens(model, text)
    except Exception:
        return Usage()
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)
