"""``clock.now`` and ``clock.convert``: IANA zones, ISO 8601 out, clear errors for unknown zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from llm_resolver_tools_pack.clock import ClockError, convert, now


def test_now_is_the_current_time_in_the_zone() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    tokyo = datetime.fromisoformat(now("Asia/Tokyo"))
    utc = datetime.fromisoformat(now())
    after = datetime.now(UTC)

    assert tokyo.utcoffset() == timedelta(hours=9)
    assert utc.utcoffset() == timedelta(0)
    assert before <= tokyo <= after
    assert before <= utc <= after


@pytest.mark.parametrize(
    ("time", "from_tz", "to_tz", "expected"),
    [
        ("2025-01-15T09:30", "Europe/Paris", "America/New_York", "2025-01-15T03:30:00-05:00"),
        ("2025-07-15T09:30", "Europe/Paris", "America/New_York", "2025-07-15T03:30:00-04:00"),  # summer time
        ("2025-03-01T23:00", "UTC", "Asia/Kolkata", "2025-03-02T04:30:00+05:30"),
        ("2025-03-01T12:00+02:00", "Asia/Tokyo", "UTC", "2025-03-01T10:00:00+00:00"),  # the offset wins
        (" 2025-03-01 ", "UTC", "Europe/London", "2025-03-01T00:00:00+00:00"),
    ],
)
def test_convert_between_zones(time: str, from_tz: str, to_tz: str, expected: str) -> None:
    assert convert(time, from_tz, to_tz) == expected


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/localtime", "Europe/"])
def test_unknown_zones_are_named_in_the_error(zone: str) -> None:
    with pytest.raises(ClockError, match=r"unknown time zone .*use an IANA name such as UTC"):
        now(zone)
    with pytest.raises(ClockError, match="unknown time zone"):
        convert("2025-01-01T00:00", "UTC", zone)


def test_unreadable_times_are_refused() -> None:
    with pytest.raises(ClockError, match="cannot read 'next tuesday' as a time; send ISO 8601"):
        convert("next tuesday", "UTC", "UTC")
