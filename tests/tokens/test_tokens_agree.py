"""One count of a request's prompt: the context check, the budget estimate and counted usage agree."""

from __future__ import annotations

import pytest

from llm_resolver import LiteLLMConfig, LLMContextWindowError, Tool
from llm_resolver.backend.loader import litellm
from llm_resolver.backend.targets import targets_for
from llm_resolver.catalog.context_fit import fit_targets
from llm_resolver.metering.estimate import estimate_usd
from llm_resolver.metering.usage import counted_usage
from llm_resolver.types.request import coerce_request
from tests.helpers import MakeLLM

MODEL = "openai/gpt-4o-mini"
WEATHER = Tool(
    "weather",
    "The weather in a city, today and tomorrow: temperature, wind, rain, and what to wear for it.",
    {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "the city, e.g. Paris"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
)
PROMPT = "What will the weather be in Paris tomorrow?"


def test_the_context_check_the_budget_and_counted_usage_count_tools_alike(make_llm: MakeLLM) -> None:
    request = coerce_request(PROMPT, tools=[WEATHER])
    counted = make_llm(model=MODEL).count_tokens(request)
    assert counted > make_llm(model=MODEL).count_tokens(PROMPT) + 20  # the tool's definition counts

    # The context check refuses exactly when prompt + max_tokens exceeds the window.
    config = LiteLLMConfig(model=MODEL, max_tokens=10)
    targets = targets_for(config)
    with pytest.raises(LLMContextWindowError, match=f"it needs {counted} prompt \\+ 10 max_tokens"):
        fit_targets(targets, request, 10, lambda model: counted + 9)
    assert fit_targets(targets, request, 10, lambda model: counted + 10)[0] == targets

    # The budget reserves the same prompt tokens, and a stream without usage is billed for them.
    completion_cost = float(sum(litellm().cost_per_token(model=MODEL, prompt_tokens=0, completion_tokens=10)))
    prompt_cost = float(
        sum(litellm().cost_per_token(model=MODEL, prompt_tokens=counted, completion_tokens=0))
    )
    assert estimate_usd(targets, request, config, None) == pytest.approx(prompt_cost + completion_cost)
    assert counted_usage(MODEL, request, "").prompt_tokens == counted
