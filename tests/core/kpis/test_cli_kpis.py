"""`python -m core kpis`: every KPI with value, unit and previous value, as JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from core.kpis.definitions import KPIS
from core.kpis.report import CSV_COLUMNS
from tests.factories import ensure_workspace, make_channel, make_conversation
from tests.test_cli import run_cli

UTC = dt.UTC


@pytest.fixture
def conversations(session):
    ensure_workspace(session)
    instagram = make_channel(session, name="Instagram")
    forum = make_channel(session, name="Community forum")
    for channel, minutes, day in ((instagram, 10, 4), (instagram, 30, 5), (forum, 50, 5), (instagram, 90, 25)):
        received = dt.datetime(2025, 3 if day < 20 else 2, day, 9, tzinfo=UTC)
        make_conversation(
            session,
            channel=channel,
            received_at=received,
            kind="question",
            first_reply_at=received + dt.timedelta(minutes=minutes),
            business_minutes_to_reply=minutes,
            calendar_minutes_to_reply=minutes,
        )
    session.commit()
    return instagram, forum


def test_json_prints_every_kpi_with_unit_and_previous_period(engine, conversations):
    code, out, _ = run_cli(engine, "kpis", "--from", "2025-03-03", "--to", "2025-03-09", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["period"] == {"from": "2025-03-03", "to": "2025-03-09"}
    assert report["previous_period"] == {"from": "2025-02-24", "to": "2025-03-02"}
    by_key = {k["key"]: k for k in report["kpis"]}
    assert set(by_key) == {d.key for d in KPIS}
    median = by_key["first_response_median"]
    assert (median["value"], median["previous"], median["unit"]) == (30.0, 90.0, "business min")
    assert median["change"] == -60.0


def test_json_and_csv_carry_the_counts_behind_each_share_for_both_periods(engine, conversations, session):
    instagram, _ = conversations
    late = dt.datetime(2025, 3, 6, 9, tzinfo=UTC)
    make_conversation(
        session,
        channel=instagram,
        received_at=late,
        kind="complaint",
        first_reply_at=late + dt.timedelta(hours=5),
        deadline_at=late + dt.timedelta(hours=2),
        business_minutes_to_reply=300,
        calendar_minutes_to_reply=300,
    )
    make_conversation(session, channel=instagram, received_at=late, kind="praise")
    session.commit()
    code, out, _ = run_cli(engine, "kpis", "--from", "2025-03-03", "--to", "2025-03-09", "--json")
    assert code == 0
    by_key = {k["key"]: k for k in json.loads(out)["kpis"]}
    sla = by_key["sla_share"]
    assert sla["counts"]["conversations"] == 5
    assert sla["counts"]["needing_reply"] == 4  # the praise needs no reply
    assert sla["counts"]["breached"] == 1
    assert sla["previous_counts"]["conversations"] == 1 and sla["previous_counts"]["needing_reply"] == 1
    median = by_key["first_response_median"]
    assert (median["counts"]["answered"], median["previous_counts"]["answered"]) == (4, 1)

    code, out, _ = run_cli(engine, "kpis", "--from", "2025-03-03", "--to", "2025-03-09", "--csv")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["key"] == "sla_share")
    assert "conversations=5; needing_reply=4" in row["counts"]
    assert "conversations=1; needing_reply=1" in row["previous_counts"]


def test_a_calendar_month_is_compared_with_the_calendar_month_before(engine, conversations):
    code, out, _ = run_cli(engine, "kpis", "--from", "2025-03-01", "--to", "2025-03-31", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["previous_period"] == {"from": "2025-02-01", "to": "2025-02-28"}
    median = next(k for k in report["kpis"] if k["key"] == "first_response_median")
    assert median["previous_counts"]["answered"] == 1  # 25 February, inside the calendar month before


def test_one_channel_by_name(engine, conversations):
    code, out, _ = run_cli(
        engine, "kpis", "--from", "2025-03-03", "--to", "2025-03-09", "--channel", "instagram", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["channel"] == "instagram"
    assert next(k for k in report["kpis"] if k["key"] == "first_response_median")["value"] == 20.0


def test_csv_is_a_table_of_the_same_figures(engine, conversations):
    code, out, _ = run_cli(engine, "kpis", "--from", "2025-03-03", "--to", "2025-03-09", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    median = next(r for r in rows if r["key"] == "first_response_median")
    assert (median["value"], median["previous"], median["unit"], median["better"]) == (
        "30.0",
        "90.0",
        "business min",
        "lower",
    )
    assert next(r for r in rows if r["key"] == "active_share")["value"] == ""  # no data: empty, never NaN


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2025-03-09", "--to", "2025-03-03", "--json"), "swap the dates"),
        (
            ("--from", "2025-03-03", "--to", "2025-03-09", "--channel", "Myspace", "--json"),
            "No channel named 'Myspace'. Channels: Community forum, Instagram.",
        ),
    ],
)
def test_bad_input_says_what_to_fix(engine, conversations, args, message):
    code, out, err = run_cli(engine, "kpis", *args)
    assert code == 1 and out == ""
    assert message in err


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "3/3/2025", "--to", "2025-03-09", "--json"),  # not YYYY-MM-DD
        ("--from", "2025-03-03", "--to", "2025-03-09"),  # neither --json nor --csv
        ("--from", "2025-03-03", "--to", "2025-03-09", "--json", "--csv"),
    ],
)
def test_malformed_arguments_are_refused_by_the_parser(args):
    from core import cli

    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["kpis", *args])
