"""Every call leaves usage events with the meters: per scope, per attempt, for streams; a broken
meter never breaks a call; meters are named in the config and built from plugins."""

from __future__ import annotations

import gc
import logging

import pytest

from llm_resolver import LLMConnectionError, LLMServiceError, Scope, SpecError
from llm_resolver.backend.loader import litellm
from llm_resolver.testing import Fault, ProviderEmulator, Reply

from .conftest import MakeResolver, MeterPlugin, RecordingMeter


def gpt_4o_mini_cost(prompt: int, completion: int) -> float:
    return float(
        sum(litellm().cost_per_token(model="gpt-4o-mini", prompt_tokens=prompt, completion_tokens=completion))
    )


def test_spend_is_read_per_scope(provider_emulator: ProviderEmulator, make_resolver: MakeResolver) -> None:
    provider_emulator.default_reply = Reply(usage=(100, 10))
    resolver = make_resolver()
    acme, globex = Scope(org="acme"), Scope(org="globex")
    resolver.get_or_resolve(acme).complete("hi")
    resolver.get_or_resolve(acme).complete("again")
    resolver.get_or_resolve(globex).complete("hi")
    one = gpt_4o_mini_cost(100, 10)
    assert resolver.meter.spend(acme) == pytest.approx(2 * one)
    assert resolver.meter.spend(globex) == pytest.approx(one)
    assert resolver.meter.spend() == pytest.approx(3 * one)
    totals = resolver.meter.totals(acme, "openai/gpt-4o-mini")
    assert (totals.calls, totals.prompt_tokens, totals.completion_tokens) == (2, 200, 20)


def test_each_failed_attempt_and_the_success_reach_a_configured_meter(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    provider_emulator.script(Fault.server_error(), Fault.rate_limit(), Reply(usage=(20, 4)))
    llm = make_resolver(cost_meters=["recorder"]).get_or_resolve(Scope(org="acme"))
    response = llm.complete("hi")
    events = meter_plugin.recorder.events
    assert [e.outcome for e in events] == ["error", "error", "ok"]
    assert [e.error_type for e in events] == ["LLMServiceError", "LLMRateLimitError", None]
    assert {e.request_id for e in events} == {events[0].request_id}  # one call
    assert [e.cost_usd for e in events] == [0.0, 0.0, pytest.approx(gpt_4o_mini_cost(20, 4))]
    assert events[-1].usage == response.usage
    assert all(e.scope == Scope(org="acme") and e.operation == "complete" for e in events)


def test_a_call_that_fails_leaves_its_error_events(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    provider_emulator.script(Fault.server_error(), Fault.server_error())
    llm = make_resolver(cost_meters=["recorder"], max_retries=1).get_or_resolve()
    with pytest.raises(LLMServiceError):
        llm.complete("hi")
    assert meter_plugin.recorder.outcomes() == ["error", "error"]


def test_a_stream_leaves_one_event_with_its_usage_once_exhausted(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    provider_emulator.script(Reply(text="one two three", usage=(30, 3)))
    llm = make_resolver(cost_meters=["recorder"]).get_or_resolve()
    stream = llm.stream("hi")
    assert meter_plugin.recorder.events == []  # nothing sent yet
    assert "".join(c.text for c in stream) == "one two three"
    [event] = meter_plugin.recorder.events
    assert (event.outcome, event.operation, event.usage.prompt_tokens, event.usage.completion_tokens) == (
        "ok",
        "stream",
        30,
        3,
    )
    assert event.cost_usd == pytest.approx(gpt_4o_mini_cost(30, 3))


async def test_a_broken_stream_bills_what_arrived(
    provider_emulator: ProviderEmulator,
    make_resolver: MakeResolver,
    meter_plugin: MeterPlugin,
    litellm_async_clients: None,
) -> None:
    provider_emulator.script(Fault.drop_mid_stream(after_chunks=2))
    resolver = make_resolver(cost_meters=["recorder"])
    llm = resolver.get_or_resolve()
    stream = llm.astream("one two three four five six")
    with pytest.raises(LLMConnectionError) as caught:
        async for _ in stream:
            pass
    [event] = meter_plugin.recorder.events
    assert event.outcome == "error"
    assert event.error_type == "LLMConnectionError"
    assert event.usage.prompt_tokens > 0
    assert event.usage.completion_tokens > 0
    assert event.cost_usd is not None
    assert event.cost_usd > 0
    assert caught.value.partial_text
    assert resolver.meter.spend() == pytest.approx(event.cost_usd)


def test_a_stream_closed_early_is_metered_when_dropped(
    provider_emulator: ProviderEmulator, make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    provider_emulator.script(Reply(text="a b c d e f g h", chunks=8))
    llm = make_resolver(cost_meters=["recorder"]).get_or_resolve()
    stream = llm.stream("hi")
    with stream:
        first = next(stream)
    assert first.text
    del stream
    gc.collect()
    [event] = meter_plugin.recorder.events
    assert event.outcome == "ok"
    assert event.usage.completion_tokens > 0
    assert event.cost_usd is not None
    assert event.cost_usd > 0


class FailingMeter:
    def record(self, event: object) -> None:
        raise RuntimeError("disk on fire")


def test_a_meter_that_raises_does_not_break_calls(
    provider_emulator: ProviderEmulator,
    make_resolver: MakeResolver,
    meter_plugin: MeterPlugin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    meter_plugin.extra["failing"] = FailingMeter
    resolver = make_resolver(cost_meters=["failing", "recorder"])
    with caplog.at_level(logging.ERROR, logger="llm_resolver.metering.meters"):
        assert resolver.get_or_resolve().complete("hi").text == "echo: hi"
    assert meter_plugin.recorder.outcomes() == ["ok"]  # meters after the failing one still see it
    assert resolver.meter.totals().calls == 1
    assert "FailingMeter failed to record" in caplog.text


def test_meter_options_from_a_mapping_reach_its_factory(
    make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    make_resolver(cost_meters=[{"name": "recorder", "flavour": "mint"}])
    assert meter_plugin.recorder.options == {"flavour": "mint"}


def test_an_unknown_meter_name_lists_the_known_ones(make_resolver: MakeResolver) -> None:
    with pytest.raises(SpecError) as caught:
        make_resolver(cost_meters=["ledgr"])
    assert caught.value.field == "cost_meters"
    assert "unknown cost meter 'ledgr'" in str(caught.value)
    assert "'recorder'" in str(caught.value)


def test_options_a_meter_does_not_take_are_named(
    make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    meter_plugin.extra["strict"] = lambda path: RecordingMeter(path=path)
    with pytest.raises(SpecError, match="'strict' does not accept these options") as caught:
        make_resolver(cost_meters=[{"name": "strict", "colour": "red"}])
    assert "it takes: path" in str(caught.value)


def test_a_factory_that_fails_or_returns_no_meter_is_a_spec_error(
    make_resolver: MakeResolver, meter_plugin: MeterPlugin
) -> None:
    def broken(token: str) -> RecordingMeter:
        raise OSError(f"cannot open with {token}")

    meter_plugin.extra["broken"] = broken
    meter_plugin.extra["useless"] = lambda: object()
    with pytest.raises(SpecError, match="'broken' could not be created: OSError") as caught:
        make_resolver(cost_meters=[{"name": "broken", "token": "hunter2-very-secret"}])
    assert "hunter2-very-secret" not in str(caught.value)  # a secret-named option is scrubbed
    with pytest.raises(SpecError, match="no record"):
        make_resolver(cost_meters=["useless"])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (5, "a meter is a name such as 'ledger' or a mapping"),
        ({"path": "/tmp/x"}, "needs 'name'"),
        ("  ", "must not be empty"),
    ],
)
def test_bad_meter_entries_are_spec_errors(make_resolver: MakeResolver, entry: object, message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        make_resolver(cost_meters=[entry])
    assert caught.value.field == "cost_meters.0"


def test_meter_options_that_are_secrets_are_masked(make_resolver: MakeResolver) -> None:
    resolver = make_resolver(cost_meters=[{"name": "recorder", "api_token": "tok-" + "x" * 24}])
    assert "tok-" not in repr(resolver.config)
    assert "tok-" not in str(resolver.config.model_dump())
    assert "tok-" + "x" * 24 in resolver.config.secret_values()
