"""A Rustic AI guild whose spec names llm-resolver's resolver: two agents (one sync processor, one
async) share one guild-scoped LLM with a fallback and a budget for the guild.

Runs against the embedded provider emulator: no network, no key. Needs Python 3.13 and
rusticai-core (scripts/bootstrap-py313 builds that environment; scripts/test runs this file there).
"""

from __future__ import annotations

import os
import time

from pydantic import BaseModel
from rustic_ai.core.agents.testutils.probe_agent import ProbeAgent
from rustic_ai.core.guild import Agent, agent
from rustic_ai.core.guild.agent import ProcessContext
from rustic_ai.core.guild.agent_ext.depends.llm import LLM
from rustic_ai.core.guild.agent_ext.depends.llm.models import (
    APIError,
    ChatCompletionRequest,
    ChatCompletionResponse,
    UserMessage,
)
from rustic_ai.core.guild.builders import AgentBuilder, GuildBuilder

from llm_resolver.testing import Fault, ProviderEmulator

# The one line a guild changes to migrate: class_name (was rustic_ai.litellm.agent_ext.llm.LiteLLMResolver).
# ${...} stay references in the spec (GuildBuilder logs it); the resolver reads them when agents start.
GUILD_YAML = """
id: support
name: Support
description: Two agents on one guild-scoped LLM
dependency_map:
  llm:
    class_name: llm_resolver_rustic.LiteLLMResolver
    properties:
      model: openai/gpt-4o-mini
      base_url: ${DEMO_OPENAI_BASE}
      api_key: ${OPENAI_API_KEY:-demo-key}
      max_retries: 1
      max_tokens: 64
      fallback_models:
        - model: anthropic/claude-haiku-4-5
          api_base: ${DEMO_ANTHROPIC_BASE}
          api_key: ${ANTHROPIC_API_KEY:-demo-key}
      budget_usd:
        scopes:
          acme/support: 0.01   # every agent of this guild together
agents:
  - id: triage
    name: Triage
    description: answers in its processor's thread
    class_name: rustic_guild.TriageAgent
  - id: writer
    name: Writer
    description: answers from an async processor
    class_name: rustic_guild.WriterAgent
"""


class Question(BaseModel):
    text: str


class Reply(BaseModel):
    agent: str
    text: str | None
    model: str
    cost_usd: float | None
    attempts: int


def _reply(name: str, response: ChatCompletionResponse) -> Reply:
    choice = response.choices[0]
    extra = choice.provider_specific_fields or {}
    return Reply(
        agent=name,
        text=choice.message.content,
        model=extra["model"],
        cost_usd=extra["cost_usd"],
        attempts=len(extra["attempts"]),
    )


def _ask(text: str) -> ChatCompletionRequest:
    return ChatCompletionRequest(messages=[UserMessage(content=text)])


class TriageAgent(Agent):
    @agent.processor(Question, depends_on=["llm:guild"])
    def triage(self, ctx: ProcessContext[Question], llm: LLM) -> None:
        try:
            ctx.send(_reply(self.name, llm.completion(_ask(f"Triage: {ctx.payload.text}"))))
        except APIError as err:  # ours are Rustic's APIError too, with a ResponseCodes status_code
            ctx.send_dict({"agent": self.name, "error": err.message, "status_code": err.status_code})


class WriterAgent(Agent):
    @agent.processor(Question, depends_on=["llm:guild"])
    async def write(self, ctx: ProcessContext[Question], llm: LLM) -> None:
        response = await llm.async_completion(_ask(f"Draft a reply: {ctx.payload.text}"))
        ctx.send(_reply(self.name, response))


def main() -> None:
    with ProviderEmulator() as emulator:
        os.environ["DEMO_OPENAI_BASE"] = emulator.openai_base
        os.environ["DEMO_ANTHROPIC_BASE"] = emulator.anthropic_base
        # The primary is down for the first question (both tries): the fallback answers it.
        emulator.script(Fault.unavailable(), Fault.unavailable(), model="gpt-4o-mini")
        guild = GuildBuilder.from_spec_yaml(GUILD_YAML).launch("acme")
        try:
            probe = guild._add_local_agent(
                AgentBuilder(ProbeAgent)
                .set_id("probe")
                .set_name("Probe")
                .set_description("reads")
                .build_spec()
            )
            assert isinstance(probe, ProbeAgent)
            for question in ("My order is late", "Can I change my address?"):
                before = len(probe.get_messages())
                probe.publish_dict(guild.DEFAULT_TOPIC, {"text": question}, format=f"{__name__}.Question")
                while len(probe.get_messages()) < before + 2:
                    time.sleep(0.01)
            for message in probe.get_messages():
                answer = message.payload
                print(
                    f"{answer['agent']}: {answer['text']} ({answer['model']}, {answer['attempts']} attempts, "
                    f"cost_usd={answer['cost_usd']:.7f})"
                )
        finally:
            guild.shutdown()
        requests = {m: emulator.request_count(model=m) for m in ("gpt-4o-mini", "claude-haiku-4-5")}
        print("requests per model:", requests)
        assert requests == {"gpt-4o-mini": 5, "claude-haiku-4-5": 1}, requests


if __name__ == "__main__":
    # Rustic loads agents by dotted path: run the module the spec names, not a second copy as __main__.
    import rustic_guild

    rustic_guild.main()
