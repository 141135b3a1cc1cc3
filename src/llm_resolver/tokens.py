"""The one token count of a request, used by the context check, the budget estimate and counted usage.

Counted with the model's tokenizer (through LiteLLM): the messages, images at their default size
(never fetched), and the tool definitions as the provider is sent them. What a missing tokenizer
means is each caller's to decide: the context check lets the provider judge, the budget estimate errs
high, counted usage reports nothing.

Counting never makes a network request. For some model names (llama-2/llama-3, replicate, cohere
command-r) LiteLLM would download a tokenizer from the Hugging Face Hub on first use: a request to a
third party from inside a call's context check or budget estimate, or from a server's cost estimate
for any model name a client sends, that can hang as long as the Hub does. Those models are counted
approximately instead, with LiteLLM's default tiktoken encoding (cl100k_base, bundled with LiteLLM),
which LiteLLM itself falls back to when the download fails. The count can be off either way (Llama 2's
smaller vocabulary usually makes more tokens of the same text), so a context check or a budget
estimate for such a model is approximate too; what is billed is the provider's reported usage.
Tokenizers LiteLLM ships in the package (Anthropic's older one) are still used.
"""

from __future__ import annotations

from typing import Any

from llm_resolver.backend import catalog
from llm_resolver.types.request import ChatRequest


def prompt_tokens(model: str, request: ChatRequest, *, images: bool = True) -> int:
    """The prompt's tokens, tools included; ``images=False`` leaves images out (a lower bound)."""
    messages = request.messages_openai()
    return catalog.count_tokens(
        model, messages if images else text_only(messages), tools=request.tools_openai() or None
    )


def text_tokens(model: str, text: str) -> int:
    """The tokens of generated text (a completion)."""
    return catalog.count_tokens(model, text=text) if text else 0


def text_only(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The wire messages without their image parts."""
    out = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = [p for p in content if not (isinstance(p, dict) and p.get("type") == "image_url")]
            message = {**message, "content": content}
        out.append(message)
    return out
