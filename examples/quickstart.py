"""Quickstart: resolve an LLM from a spec, then complete and stream.

Runs against the embedded provider emulator, so it needs no network and no key. For a real
provider, drop the emulator and the api_base/api_key properties and set OPENAI_API_KEY.
"""

from __future__ import annotations

from llm_resolver import DependencySpec, Scope
from llm_resolver.testing import ProviderEmulator, Reply


def main() -> None:
    with ProviderEmulator() as emulator:
        emulator.script(
            Reply(text="Paris is the capital of France.", usage=(14, 7)),
            Reply(text="One, two, three, four, five.", chunks=5),
        )
        spec = DependencySpec(
            class_name="litellm",
            properties={
                "model": "openai/gpt-4o-mini",
                "api_base": emulator.openai_base,
                "api_key": "emulator-key",
            },
        )
        llm = spec.to_resolver().get_or_resolve(Scope(org="acme", agent="quickstart"))

        response = llm.complete("What is the capital of France?")
        print(f"complete: {response.text}")
        print(
            f"  model={response.model} tokens={response.usage.total_tokens} cost_usd={response.cost_usd:.7f}"
        )

        print("stream: ", end="")
        with llm.stream("Count to five.") as stream:
            for chunk in stream:
                print(chunk.text, end="", flush=True)
        print()
        done = stream.response
        print(f"  model={done.model} tokens={done.usage.total_tokens} cost_usd={done.cost_usd:.7f}")


if __name__ == "__main__":
    main()
