"""Timestamps of platform exports: the common formats with and without an offset, naive ones
read in the chosen time zone, and the ones we cannot trust refused with a reason."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.sla import timestamps

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text, order, expected",
    [
        ("2025-11-10T10:15:00+01:00", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 10:15:00+0100", "DMY", "2025-11-10 09:15"),
        ("2025-11-10T09:15:00Z", "DMY", "2025-11-10 09:15"),
        ("2025-11-10T09:15:00.250Z", "DMY", "2025-11-10 09:15:00.250"),
        ("20251110T091500Z", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 04:15:00-05:00", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 09:15 UTC", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 11:15:00 GMT+2", "DMY", "2025-11-10 09:15"),
        ("Mon, 10 Nov 2025 10:15:00 +0100", "DMY", "2025-11-10 09:15"),
        ("1762766100", "DMY", "2025-11-10 09:15"),  # Unix seconds
        ("1762766100000", "DMY", "2025-11-10 09:15"),  # Unix milliseconds
        # naive: read in Europe/Berlin (CET in November)
        ("2025-11-10 10:15", "DMY", "2025-11-10 09:15"),
        ("2025/11/10 10:15:00", "DMY", "2025-11-10 09:15"),
        ("10.11.2025 10:15", "MDY", "2025-11-10 09:15"),  # dotted dates are always day first
        ("10/11/2025 10:15", "DMY", "2025-11-10 09:15"),
        ("11/10/2025 10:15", "MDY", "2025-11-10 09:15"),
        ("11/10/2025 10:15 AM", "MDY", "2025-11-10 09:15"),
        ("Nov 10, 2025 10:15 AM", "DMY", "2025-11-10 09:15"),
        ("10 Nov 2025 10:15", "DMY", "2025-11-10 09:15"),
        ("2025-07-10 11:15", "DMY", "2025-07-10 09:15"),  # CEST in summer
        ("2025-10-26 02:30", "DMY", "2025-10-26 00:30"),  # the repeated autumn hour: its first occurrence
    ],
)
def test_common_timestamp_formats(text, order, expected):
    parser = timestamps.TimestampParser(zone=BERLIN, date_order=order, now=NOW)
    assert parser.parse(text) == utc(expected)


@pytest.mark.parametrize(
    "text, zone, message",
    [
        ("2025-11-10 10:15", None, "no UTC offset; choose the time zone"),
        ("2025-03-30 02:30", BERLIN, "does not exist in Europe/Berlin"),
        ("2025-11-10", BERLIN, "no time of day"),
        ("yesterday 10:00", BERLIN, "not a date and time we can read"),
        ("13/13/2025 10:00", BERLIN, "check the date order"),
        ("2026-02-01 10:00", BERLIN, "in the future"),
        ("1975-01-01T10:00:00Z", BERLIN, "before 1990"),
        ("2025-11-10 10:15 +1900", BERLIN, "impossible UTC offset"),
    ],
)
def test_timestamps_we_cannot_trust_are_refused_with_a_reason(text, zone, message):
    parser = timestamps.TimestampParser(zone=zone, date_order="DMY", now=NOW)
    with pytest.raises(timestamps.BadTimestamp, match=message):
        parser.parse(text)
