"""The OpenAI-compatible server plugin: any OpenAI client in front of a spec's LLMs.

`llm-resolver serve --spec models.yaml` does the same from the command line; `router(deps, auth=...)`
mounts the same routes in a FastAPI app of your own (docs/server.md). Here the server runs on a
background thread, in front of the embedded provider emulator, and the openai SDK talks to it.
"""

from __future__ import annotations

import openai
from llm_resolver_openai_server import RunningServer, create_app

from llm_resolver import Dependencies
from llm_resolver.testing import Fault, ProviderEmulator, Reply


def main() -> None:
    # Imported after llm_resolver, which puts LiteLLM's offline price-map setting in the environment
    # first (imported before, LiteLLM would fetch its price map over the network).
    import litellm

    # An application's choice, not the library's: LiteLLM prints a help banner on stdout for every
    # provider error (here, the 503 that makes the server fall back) unless this is set.
    litellm.suppress_debug_info = True
    with ProviderEmulator() as emulator:
        models = Dependencies.from_dict(
            {
                "support": {
                    "class_name": "litellm",
                    "properties": {
                        "model": "openai/gpt-4o-mini",
                        "api_base": emulator.openai_base,
                        "api_key": "upstream-key",
                        "max_retries": 0,
                        "fallback_models": [
                            {
                                "model": "anthropic/claude-haiku-4-5",
                                "api_base": emulator.anthropic_base,
                                "api_key": "k",
                            }
                        ],
                    },
                }
            }
        )
        emulator.script(
            Fault.server_error(503),
            Reply(text="Your order ships today.", usage=(20, 6)),
            Reply(text="Tracking: 1Z999.", usage=(12, 4)),
        )
        with (
            RunningServer(create_app(models)) as server,
            openai.OpenAI(base_url=server.base_url, api_key="-") as client,
        ):
            reply = client.chat.completions.create(
                model="support",
                messages=[{"role": "user", "content": "Where is my order?"}],
                extra_headers={"X-LLM-Scope": "acme/support/desk"},
            )
            extras = reply.model_extra or {}
            print(f"reply: {reply.choices[0].message.content}")
            print(
                f"answered by: {extras['llm_resolver']['model']} after {len(extras['llm_resolver']['attempts'])} attempts"
            )
            print(f"models: {[m.id for m in client.models.list()]}")
            # The Responses API (openai-agents' default path) answers from the same LLM.
            response = client.responses.create(
                model="support", instructions="Answer in one line.", input="And the tracking number?"
            )
            print(f"responses: {response.output_text}")


if __name__ == "__main__":
    main()
