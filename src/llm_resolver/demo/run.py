"""The demo itself: three agents, three kinds of handler, one spec, answers with usage and cost."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping
from typing import TextIO

from llm_resolver.backend.loader import litellm
from llm_resolver.demo.handlers import narrate, plan, summarise
from llm_resolver.demo.host import Agent, Guild
from llm_resolver.demo.provider import emulated_provider, real_provider_configured
from llm_resolver.readout import format_cost, summary_line
from llm_resolver.types.responses import ChatResponse

SCOUT = Agent("scout", summarise, "Summarise why injected dependencies make agents easier to test.")
PLANNER = Agent("planner", plan, "Plan the next step for an agent whose primary model is down.")
NARRATOR = Agent("narrator", narrate, "Tell the guild, briefly, how the fallback saved the day.")


def run_demo(out: TextIO, *, force_emulator: bool = False) -> int:
    """Run the guild once and print what happened; errors propagate as typed ``LLMError``s."""
    with contextlib.ExitStack() as stack:
        env: Mapping[str, str] = os.environ
        if force_emulator or not real_provider_configured(env):
            emulator, env = stack.enter_context(emulated_provider(env))
            out.write(
                f"provider: embedded emulator at {emulator.url}; its primary model is scripted to fail "
                "with 503 twice.\n(Set LLM_MODEL and that provider's key, e.g. OPENAI_API_KEY, to use a "
                "real provider.)\n"
            )
        else:
            out.write(f"provider: {os.environ['LLM_MODEL']} (real provider, from the environment)\n")
        guild = Guild.from_package_spec("acme", "research", env=env)
        responses = asyncio.run(_run_agents(guild, out))
    _totals(responses, out)
    return 0


async def _run_agents(guild: Guild, out: TextIO) -> list[ChatResponse]:
    """One event loop for the whole run, as a host has; LiteLLM's async clients are closed before it ends
    so no connection outlives the loop."""
    try:
        return [await _sync_agent(guild, out), *await _async_agents(guild, out)]
    finally:
        await litellm().close_litellm_async_clients()


async def _sync_agent(guild: Guild, out: TextIO) -> ChatResponse:
    """A host runs sync handlers in a worker thread so they never block its event loop."""
    _heading(guild, SCOUT, "sync handler, Dependencies.call in a worker thread", out)
    response: ChatResponse = await asyncio.to_thread(guild.run, SCOUT)
    _report(response, out)
    return response


async def _async_agents(guild: Guild, out: TextIO) -> list[ChatResponse]:
    _heading(guild, PLANNER, "async handler, Dependencies.acall", out)
    planned: ChatResponse = await guild.arun(PLANNER)
    _report(planned, out)

    _heading(guild, NARRATOR, "streaming handler, Dependencies.acall", out)
    out.write("  answer: ")

    def show(text: str) -> None:
        out.write(text)
        out.flush()

    narrated: ChatResponse = await guild.arun(NARRATOR, on_text=show)
    out.write("\n")
    _report(narrated, out, answer_shown=True)
    return [planned, narrated]


def _heading(guild: Guild, agent: Agent, how: str, out: TextIO) -> None:
    out.write(f"\n[{guild.scope(agent)}] {agent.handler.__name__} ({how})\n")
    out.flush()


def _report(response: ChatResponse, out: TextIO, *, answer_shown: bool = False) -> None:
    if not answer_shown:
        out.write(f"  answer: {response.text}\n")
    out.write(f"  {summary_line(response)}\n")
    out.flush()


def _totals(responses: list[ChatResponse], out: TextIO) -> None:
    tokens = sum(r.usage.total_tokens for r in responses)
    costs = [r.cost_usd for r in responses if r.cost_usd is not None]
    cost = format_cost(sum(costs)) if costs else format_cost(None)
    if costs and len(costs) < len(responses):
        cost += " (some calls could not be priced)"
    out.write(f"\ndemo ok: {len(responses)} handlers, {tokens} tokens, {cost}\n")
