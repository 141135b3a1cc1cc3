"""Tools and structured output: a tool loop with a sync and an async tool, then a validated reply.

The embedded provider emulator plays the model (it "decides" to call the tools), so this needs no
network and no key; with a real model, drop the emulator and the api_base/api_key properties.
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from llm_resolver import DependencySpec, arun_tools, tool
from llm_resolver.testing import ProviderEmulator, Reply, ToolCallSpec


@tool
def convert(amount: float, rate: float) -> float:
    """Convert an amount with an exchange rate."""
    return round(amount * rate, 2)


@tool
async def rate(currency: str) -> float:
    """Today's rate from EUR to ``currency``."""
    await asyncio.sleep(0)
    return {"USD": 1.08, "GBP": 0.85}[currency]


class Quote(BaseModel):
    currency: str
    amount: float


async def main() -> None:
    with ProviderEmulator() as emulator:
        emulator.script(
            Reply(tool_calls=[ToolCallSpec("rate", {"currency": "USD"})]),
            Reply(tool_calls=[ToolCallSpec("convert", {"amount": 250, "rate": 1.08})]),
            Reply(text="250 EUR is 270.0 USD today."),
            Reply(text='{"currency": "USD", "amount": 270.0}'),
        )
        spec = DependencySpec(
            class_name="litellm",
            properties={"model": "openai/gpt-4o-mini", "api_base": emulator.openai_base, "api_key": "k"},
        )
        llm = spec.to_resolver().get_or_resolve()

        result = await arun_tools(llm, "How much is 250 EUR in USD?", [rate, convert])
        print(f"answer: {result.text}")
        print(f"tool calls: {[call.name for step in result.steps for call in step.calls]}")

        quote = await llm.acomplete("The same, as data.", response_model=Quote)
        print(f"parsed: {quote.parsed!r}")


if __name__ == "__main__":
    asyncio.run(main())
