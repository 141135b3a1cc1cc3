"""Token-array embedding input (LangChain's ``OpenAIEmbeddings`` sends it by default) decoded to text
with the embedding model's own tokenizer, since ``LLM.aembed`` takes text.

Only tokenizers known for sure are used: OpenAI's embedding models all tokenize with ``cl100k_base``
(LiteLLM's bundled default, so no download). Any other model's ids would decode to the wrong text and
silently embed garbage, so they are refused with what to send instead."""

from __future__ import annotations

import asyncio
from typing import Any

from llm_resolver import LLM
from llm_resolver_openai_server.fields import WireError

_OPENAI = ("openai", "azure")


def embedding_model(llm: LLM) -> str:
    """The model ``llm`` embeds with: its config's ``embedding_model``, else its own model."""
    config = getattr(llm, "config", None)
    entry: Any = getattr(config, "embedding_model", None) or llm.model
    return entry if isinstance(entry, str) else str(entry.model)


async def decode(model: str, arrays: list[list[int]]) -> list[str]:
    """``arrays`` as the texts they encode for ``model``; a ``WireError`` when its tokenizer is unknown."""
    provider, _, name = model.rpartition("/")
    if provider not in ("", *_OPENAI) or not name.startswith("text-embedding-"):
        raise WireError(
            f"input: token arrays need the tokenizer of {model}, which this server does not know; "
            "send the text instead",
            "input",
        )
    return await asyncio.to_thread(_decode_all, model, arrays)


def _decode_all(model: str, arrays: list[list[int]]) -> list[str]:
    from llm_resolver.backend.loader import litellm  # LiteLLM's bundled tokenizers, imported lazily

    try:
        return [str(litellm().decode(model=model, tokens=array)) for array in arrays]
    except (KeyError, ValueError, OverflowError) as exc:
        raise WireError(f"input: a token id is not in {model}'s vocabulary ({exc})", "input") from None
