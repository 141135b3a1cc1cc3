"""One spec's LLM driving LangChain, PydanticAI and the OpenAI Agents SDK in one process.

The LLM is resolved once; each framework gets it through its bridge, in-process, and every call keeps
the spec's retries, fallbacks and metering. The provider emulator stands in for OpenAI and Anthropic.
"""

from __future__ import annotations

from collections import Counter

from agents import Agent as SdkAgent
from agents import RunConfig, Runner
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.tools import tool
from llm_resolver_langchain import ResolverChatModel
from llm_resolver_openai_agents import ResolverModel as SdkModel
from llm_resolver_pydantic_ai import ResolverModel as PydanticAIModel
from pydantic import BaseModel
from pydantic_ai import Agent as PydanticAIAgent

from llm_resolver import LLM, DependencySpec, Scope
from llm_resolver.testing import Fault, ProviderEmulator, Reply, ToolCallSpec


class City(BaseModel):
    name: str
    population: int


@tool
def population(city: str) -> int:
    """How many people live in a city."""
    return {"Paris": 2_100_000}.get(city, 0)


def langchain_tool_loop(llm: LLM) -> None:
    chat = ResolverChatModel(llm=llm).bind_tools([population])
    history: list[BaseMessage] = [HumanMessage("How many people live in Paris?")]
    reply = chat.invoke(history)
    while reply.tool_calls:
        history += [reply, *(population.invoke(call) for call in reply.tool_calls)]
        reply = chat.invoke(history)
    meta = reply.response_metadata
    print(f"langchain: {reply.content} ({meta['model_name']}, cost_usd={meta['cost_usd']:.7f})")


def pydantic_ai_structured(llm: LLM) -> None:
    result = PydanticAIAgent(PydanticAIModel(llm), output_type=City).run_sync("Describe Paris.")
    print(f"pydantic-ai: {result.output!r} tokens={result.usage.total_tokens}")


def agents_sdk_fallback(llm: LLM) -> None:
    agent = SdkAgent(name="Greeter", instructions="Reply in French.", model=SdkModel(llm))
    result = Runner.run_sync(agent, "Say hello.", run_config=RunConfig(tracing_disabled=True))
    answered_by = result.raw_responses[0].output[0].provider_data["model"]  # type: ignore[union-attr]
    print(f"openai-agents: {result.final_output} (answered by {answered_by})")


def main() -> None:
    import litellm

    # An application's choice, not the library's: LiteLLM prints a help banner on stdout for every
    # provider error (here, the 503 that makes the Agents SDK run fall back) unless this is set.
    litellm.suppress_debug_info = True
    with ProviderEmulator() as emulator:
        spec = DependencySpec(
            class_name="litellm",
            properties={
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
        )
        llm = spec.to_resolver().get_or_resolve(Scope(org="acme", agent="concierge"))

        emulator.script(
            Reply(tool_calls=[ToolCallSpec("population", {"city": "Paris"})], usage=(40, 10)),
            Reply(text="About 2.1 million people live in Paris.", usage=(60, 12)),
        )
        langchain_tool_loop(llm)

        emulator.script(
            Reply(
                tool_calls=[ToolCallSpec("final_result", {"name": "Paris", "population": 2100000})],
                usage=(30, 8),
            )
        )
        pydantic_ai_structured(llm)

        emulator.script(Fault.server_error(503), Reply(text="Bonjour !", usage=(15, 3)))
        agents_sdk_fallback(llm)
        print(f"requests: {dict(Counter(r.provider for r in emulator.requests))}")


if __name__ == "__main__":
    main()
