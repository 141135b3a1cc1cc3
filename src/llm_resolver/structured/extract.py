"""Finding the JSON in a model's reply: the whole reply, a ```json fenced block, or the first object
or array inside surrounding prose."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)```", re.DOTALL)
_MAX_SCANS = 32  # starting points tried inside prose; replies are short, this bounds the worst case


def extract_json(text: str) -> Any:
    """The JSON value in ``text``; ``ValueError`` (with the parser's reason) when there is none."""
    fence = _FENCE.search(text)
    first = fence.group(1).strip() if fence else text.strip()
    if not first:
        raise ValueError("the reply was empty")
    try:
        return json.loads(first)
    except ValueError as exc:
        reason = exc
    decoder = json.JSONDecoder()
    starts = [i for i, ch in enumerate(first) if ch in "{["][:_MAX_SCANS]
    for start in starts:
        try:
            value, _ = decoder.raw_decode(first, start)
        except ValueError:
            continue
        return value
    raise ValueError(f"it is not valid JSON ({reason})")
