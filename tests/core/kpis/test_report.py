"""How KPIs read: the same text everywhere, never NaN; the JSON and CSV reports."""

from __future__ import annotations

import json
import math

import pytest

from core.kpis.definitions import CALENDAR_MINUTES, KPIS, MINUTES
from core.kpis.overview import compute_kpis
from core.kpis.periods import Period
from core.kpis.report import CSV_COLUMNS, format_value, report_csv, report_json
from tests.core.kpis.arrange import NOW, WEEK, answered, berlin


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (None, "%", "no data yet"),
        (math.nan, "%", "no data yet"),
        (66.666, "%", "66.7 %"),
        (42.4, MINUTES, "42 min"),
        (125, MINUTES, "2h 05m"),
        (36 * 60 + 28, CALENDAR_MINUTES, "1d 12h"),
        (1.25, "per week", "1.2"),
        (237986.0, "impressions", "237,986"),
    ],
)
def test_values_read_the_same_everywhere_and_never_as_nan(value, unit, text):
    assert format_value(value, unit) == text


def test_the_json_report_carries_every_kpi_with_unit_previous_value_and_definition(session, channel):
    answered(session, channel, at=berlin(4, 10), business=10, calendar=12)
    values = compute_kpis(session, start=WEEK[0], end=WEEK[1], channel_id=None, now=NOW)
    report = json.loads(report_json(values, period=Period(*WEEK), channel=None, generated_at=NOW))
    assert report["period"] == {"from": "2025-03-03", "to": "2025-03-09"}
    assert report["previous_period"] == {"from": "2025-02-24", "to": "2025-03-02"}
    assert [k["key"] for k in report["kpis"]] == [d.key for d in KPIS]
    median = next(k for k in report["kpis"] if k["key"] == "first_response_median")
    assert (median["value"], median["previous"], median["unit"], median["better"]) == (
        10.0,
        None,
        "business min",
        "lower",
    )
    csv_lines = report_csv(values).splitlines()
    assert csv_lines[0] == ",".join(CSV_COLUMNS)
    assert csv_lines[1].startswith("first_response_median,First response (median),speed,business min,lower,10.0,,,")
