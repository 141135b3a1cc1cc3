"""Reading one embedding reply: one vector per input, put back in input order by ``index``."""

from __future__ import annotations

from typing import Any

from llm_resolver.errors import LLMResponseError


def vectors_from(raw: Any, expected: int, model: str) -> list[list[float]]:
    data = getattr(raw, "data", None)
    if not isinstance(data, list) or len(data) != expected:
        got = len(data) if isinstance(data, list) else "no"
        raise LLMResponseError(f"{model} returned {got} vectors for {expected} inputs", model=model)
    try:
        items = sorted(data, key=lambda item: int(_field(item, "index")))
        if [int(_field(item, "index")) for item in items] != list(range(expected)):
            raise ValueError("indexes are not 0..n-1")
        return [[float(x) for x in _field(item, "embedding")] for item in items]
    except (TypeError, ValueError, KeyError) as exc:
        raise LLMResponseError(f"{model} sent vectors we could not read ({exc})", model=model) from None


def _field(item: Any, name: str) -> Any:
    return item[name] if isinstance(item, dict) else getattr(item, name)
