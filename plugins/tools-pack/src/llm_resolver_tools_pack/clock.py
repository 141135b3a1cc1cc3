"""``clock.now`` and ``clock.convert``: the current time and time-zone conversion (IANA zone names).

Models do not know what time it is; these tools tell them, in ISO 8601 with the UTC offset.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from llm_resolver import hookimpl


class ClockError(ValueError):
    """An unknown time zone or an unreadable time; the message says what to send instead."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone called ``name`` (``UTC``, ``Europe/Paris``…), or a ``ClockError``."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ClockError(
            f"unknown time zone {name[:60]!r}; use an IANA name such as UTC, Europe/Paris or America/New_York"
        ) from None


def now(tz: Annotated[str, "IANA time zone name, e.g. Europe/Paris"] = "UTC") -> str:
    """The current date and time in a time zone, as ISO 8601 with its UTC offset."""
    return datetime.now(zone(tz)).isoformat(timespec="seconds")


def convert(
    time: Annotated[str, "ISO 8601 date and time, e.g. 2025-03-01T09:30 or 2025-03-01T09:30+01:00"],
    from_tz: Annotated[str, "IANA zone the time is in (ignored if the time carries an offset)"],
    to_tz: Annotated[str, "IANA zone to convert to"],
) -> str:
    """Convert a date and time from one time zone to another; returns ISO 8601 with the UTC offset."""
    source, target = zone(from_tz), zone(to_tz)
    try:
        moment = datetime.fromisoformat(time.strip())
    except ValueError:
        raise ClockError(
            f"cannot read {time[:60]!r} as a time; send ISO 8601 such as 2025-03-01T09:30"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=source)
    return moment.astimezone(target).isoformat(timespec="seconds")


@hookimpl
def register_tools(register: Callable[..., None]) -> None:
    register(now)
    register(convert)
