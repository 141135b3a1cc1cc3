"""The meter protocol and the fan-out that keeps one failing meter from breaking a call."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from llm_resolver.metering.events import UsageEvent

log = logging.getLogger(__name__)


@runtime_checkable
class CostMeter(Protocol):
    def record(self, event: UsageEvent) -> None:
        """See one usage event; must be cheap and thread-safe."""


class Metering:
    def __init__(self, meters: Sequence[CostMeter]) -> None:
        self.meters = list(meters)

    def record(self, event: UsageEvent) -> None:
        for meter in self.meters:
            try:
                meter.record(event)
            except Exception:
                log.exception("cost meter %s failed to record an event", type(meter).__name__)
