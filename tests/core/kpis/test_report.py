"""How KPIs read: the same text everywhere, never NaN; the JSON and CSV reports."""

from __future__ import annotations

import json
import math

import pytest
from sqlmodel import select

from core import i18n
from core.kpis.definitions import CALENDAR_MINUTES, DAYS, HOURS, KPI_BY_KEY, KPIS, MINUTES, PER_WEEK
from core.kpis.overview import compute_kpis
from core.kpis.periods import Period
from core.kpis.report import CSV_COLUMNS, export_report, format_change, format_value, report_csv, report_json
from core.kpis.values import KpiValue
from db.models import AuditLog
from tests.core.kpis.arrange import NOW, WEEK, answered, berlin


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (None, "%", "no data yet"),
        (math.nan, "%", "no data yet"),
        (66.666, "%", "66.7\u00a0%"),
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


@pytest.mark.parametrize(
    ("value", "unit", "english", "german"),
    [
        (None, "%", "no data yet", "noch keine Daten"),
        (79.94, "%", "79.9\u00a0%", "79,9\u00a0%"),
        (185, MINUTES, "3h 05m", "3 Std. 05 Min."),
        (42.4, CALENDAR_MINUTES, "42 min", "42 Min."),
        (2.5, DAYS, "2.5 d", "2,5 T."),
        (3.5, HOURS, "3.5 h", "3,5 Std."),
        (1.25, PER_WEEK, "1.2", "1,2"),
        (26000.0, "impressions", "26,000", "26.000"),
    ],
)
def test_a_value_reads_as_the_readers_language_writes_it(value, unit, english, german):
    assert format_value(value, unit) == english
    with i18n.using("de"):
        assert format_value(value, unit) == german


@pytest.mark.parametrize(
    ("key", "value", "previous", "english", "german"),
    [
        ("sla_share", 79.9, 82.4, "-2.5 pp", "-2,5 Pp."),
        ("first_response_median", 185, 60, "+2h 05m", "+2 Std. 05 Min."),
        ("impressions", 26000, 24500, "+1,500", "+1.500"),
    ],
)
def test_a_change_reads_as_the_readers_language_writes_it(key, value, previous, english, german):
    kpi = KpiValue(KPI_BY_KEY[key], value, previous)
    assert format_change(kpi) == english
    with i18n.using("de"):
        assert format_change(kpi) == german


def test_the_csv_report_in_the_german_dialect_and_its_audit_row(write, read, session, channel, team):
    for business in (7.5, 12, 31.25):
        answered(session, channel, at=berlin(4, 10), business=business, calendar=business)
    session.commit()
    with write() as s, i18n.using("de"):
        text = export_report(
            session=s,
            actor=team["analyst"],
            period=Period(*WEEK),
            channel=None,
            file_format="csv",
            now=NOW,
            dialect="excel_de",
        )
    lines = text.removeprefix("\ufeff").splitlines()
    assert text.startswith("\ufeff") and lines[0] == ";".join(CSV_COLUMNS)
    assert lines[1].startswith("first_response_median;Erste Antwort (Median);speed;business min;lower;12,0;;;")
    with read() as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "kpis.export")).one()
    assert json.loads(row.after or "{}")["dialect"] == "excel_de"


def test_the_json_report_stays_english_for_programs_whoever_exports_it(write, session, channel, team):
    answered(session, channel, at=berlin(4, 10), business=185, calendar=185)
    session.commit()
    with write() as s, i18n.using("de"):
        text = export_report(
            session=s, actor=team["lead"], period=Period(*WEEK), channel=None, file_format="json", now=NOW
        )
    median = next(k for k in json.loads(text)["kpis"] if k["key"] == "first_response_median")
    assert (median["label"], median["unit"], median["value"]) == ("First response (median)", "business min", 185.0)
    assert median["detail"] == "1 answered conversation"
    assert median["definition"].startswith("Median business minutes from the message")
