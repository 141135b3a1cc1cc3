"""Splitting many texts into provider-sized requests, each within an input count and a token cap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from llm_resolver.backend import catalog
from llm_resolver.backend.targets import Target
from llm_resolver.config.providers import provider_of

DEFAULT_BATCH_SIZE = 256
# Providers that accept fewer inputs per request than the default.
PROVIDER_BATCH_LIMITS = {"gemini": 100, "vertex_ai": 250, "cohere": 96}


@dataclass(frozen=True)
class Batch:
    number: int
    start: int
    texts: list[str]


def batch_size_for(targets: Sequence[Target], configured: int | None) -> int:
    """The configured size, else the smallest limit of the chain's providers, at most the default."""
    if configured is not None:
        return configured
    limits = [PROVIDER_BATCH_LIMITS.get(provider_of(t.model) or "", DEFAULT_BATCH_SIZE) for t in targets]
    return min([DEFAULT_BATCH_SIZE, *limits])


def split(texts: Sequence[str], max_inputs: int, max_tokens: int, model: str) -> list[Batch]:
    """Greedy, in order; a text above the cap alone still gets a batch of its own (we never cut a text).

    Sizes are UTF-8 byte counts (a token is at least one byte) unless the texts together exceed the
    cap; only then is the tokenizer run, once per text.
    """
    sizes = [len(t.encode()) for t in texts]
    if sum(sizes) > max_tokens:
        sizes = [_tokens(model, t, size) for t, size in zip(texts, sizes, strict=True)]
    batches: list[Batch] = []
    start, used = 0, 0
    for index, size in enumerate(sizes):
        if index > start and (index - start >= max_inputs or used + size > max_tokens):
            batches.append(Batch(len(batches), start, list(texts[start:index])))
            start, used = index, 0
        used += size
    if start < len(texts):
        batches.append(Batch(len(batches), start, list(texts[start:])))
    return batches


def _tokens(model: str, text: str, size: int) -> int:
    try:
        return catalog.count_tokens(model, text=text)
    except Exception:  # no tokenizer for this model: the byte count is a safe over-estimate
        return size
