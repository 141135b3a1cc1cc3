"""Host injection: a host loads Dependencies from YAML and injects them into sync and async handlers.

Handlers declare what they need with ``@depends_on``; the host calls them through
``Dependencies.call`` / ``acall`` with a Scope per agent, and each scope gets its own memoised LLM.
Runs against the embedded provider emulator: no network, no key.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from llm_resolver import LLM, ChatResponse, Dependencies, Scope, depends_on
from llm_resolver.testing import ProviderEmulator, Reply


@depends_on("llm")
def draft(topic: str, llm: LLM) -> ChatResponse:
    return llm.complete(f"Write one sentence about {topic}.")


@depends_on("llm", "judge")
async def review(text: str, llm: LLM, judge: LLM) -> str:
    verdict = await judge.acomplete(f"Is this sentence clear? {text}")
    fixed = await llm.acomplete(f"Rewrite it following this advice: {verdict.text}")
    return f"{verdict.text} -> {fixed.text}"


def main() -> None:
    with ProviderEmulator() as emulator:
        emulator.script(Reply(text="Resolvers turn specs into ready-to-use LLMs."), model="gpt-4o-mini")
        emulator.script(Reply(text="Clear, but say who benefits."), model="gpt-4o")
        emulator.script(Reply(text="Resolvers give every agent a ready-to-use LLM."), model="gpt-4o-mini")

        # In production leave ``env`` out and the process environment is used; here it points the
        # spec at the emulator.
        env = {"LLM_API_BASE": emulator.openai_base, "OPENAI_API_KEY": "emulator-key"}
        deps = Dependencies.from_yaml(Path(__file__).with_name("guild.yaml"), env=env)

        writer = Scope(org="acme", guild="docs", agent="writer")
        editor = Scope(org="acme", guild="docs", agent="editor")

        first = deps.call(draft, "dependency injection", scope=writer)
        print(f"sync draft: {first.text} ({first.model}, {first.usage.total_tokens} tokens)")

        reviewed = asyncio.run(deps.acall(review, first.text, scope=editor))
        print(f"async review: {reviewed}")

        same = deps.get("llm", writer) is deps.get("llm", writer)
        separate = deps.get("llm", writer) is not deps.get("llm", editor)
        print(f"memoised per scope: {same and separate}")


if __name__ == "__main__":
    main()
