"""The KPI overview in AppTest: period against period, the same figures as the CLI and the core,
the weekly digest download, audience sizes and the digest note."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core import demo, exports, i18n, workspace
from core.kpis.definitions import FAMILY_LABELS, KPIS
from core.kpis.digest import render_markdown, weekly_digest
from core.kpis.overview import compute_kpis
from core.kpis.periods import PeriodKind, default_period
from core.kpis.report import NO_DATA, format_change, format_value
from core.kpis.trends import TREND_KEYS
from core.local_time import local_today
from db.models import Role
from db.types import utcnow
from tests.factories import make_channel, make_conversation, make_post, make_user
from tests.pages import german
from tests.pages.apptest import downloaded, open_page, show, texts
from tests.pages.charts import valid_charts
from tests.pages.german import english_left
from tests.test_cli import run_cli
from ui.kpi_view import TREND_TAB_KEY


def metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def workspace_today(session) -> dt.date:
    return local_today(utcnow(), workspace.timezone(session))


def answered(session, channel, *, day: dt.date, minutes: float) -> None:
    tz = workspace.timezone(session)
    received = dt.datetime.combine(day, dt.time(10), tzinfo=tz).astimezone(dt.UTC)
    make_conversation(
        session,
        channel=channel,
        received_at=received,
        kind="question",
        first_reply_at=received + dt.timedelta(minutes=minutes),
        business_minutes_to_reply=minutes,
        calendar_minutes_to_reply=minutes,
    )


def test_a_viewer_changes_the_period_and_sees_the_change_against_the_previous_one(session):
    make_user(session, Role.viewer, username="viewer")
    channel = make_channel(session, name="Instagram")
    today = workspace_today(session)
    last_week = default_period(PeriodKind.week, today)
    week_before = last_week.previous()
    for minutes in (20, 40):
        answered(session, channel, day=last_week.start + dt.timedelta(days=1), minutes=minutes)
    answered(session, channel, day=week_before.start + dt.timedelta(days=2), minutes=60)
    session.commit()

    at = open_page("kpis", username="viewer")
    assert not at.exception, [e.message for e in at.exception]
    at.segmented_control(key="kpis_kind").set_value(PeriodKind.week).run()
    assert not at.exception, [e.message for e in at.exception]
    assert metrics(at)["First response (median)"] == ("30 min", "-30 min")
    assert f"against the 7 days before: {week_before.start:%Y-%m-%d} – {week_before.end:%Y-%m-%d}" in texts(at)

    at.selectbox(key="kpis_week").set_value(week_before.key).run()
    assert not at.exception
    value, delta = metrics(at)["First response (median)"]
    assert (value, delta) == ("1h 00m", None)  # nothing the week before that one to compare with
    assert "before: no data yet" in texts(at)


def test_the_screen_the_cli_json_and_the_core_show_the_same_figures_on_the_demo(session, engine, downloads):
    today = workspace_today(session)
    demo.load_demo(session, today=today, password_rounds=4)
    session.commit()
    period = default_period(PeriodKind.month, today)
    now = utcnow()
    core_values = compute_kpis(session, start=period.start, end=period.end, channel_id=None, now=now)
    session.rollback()

    at = open_page("kpis", username="viewer")
    assert not at.exception, [e.message for e in at.exception]
    shown = metrics(at)
    cards = [v for v in core_values if v.definition.card]
    assert len(shown) == len(cards)
    for value in cards:
        assert shown[value.label] == (format_value(value.value, value.unit), format_change(value)), value.key
    assert sum(v.value is not None for v in cards) >= len(cards) - 1  # the demo fills (almost) every card

    code, out, _ = run_cli(engine, "kpis", "--from", period.start.isoformat(), "--to", period.end.isoformat(), "--json")
    assert code == 0
    printed = {k["key"]: (k["value"], k["previous"]) for k in json.loads(out)["kpis"]}
    assert printed == {v.key: (v.value, v.previous) for v in core_values}


def test_the_trends_draw_only_the_open_familys_charts_and_each_is_a_valid_chart(session):
    """On the demo every family has trends; the page draws the open tab's charts only, and a
    chart of every family passes the Vega-Lite schema."""
    demo.load_demo(session, today=workspace_today(session), password_rounds=4)
    session.commit()
    at = open_page("kpis", username="viewer")
    assert not at.exception, [e.message for e in at.exception]
    drawn = {}
    for family in TREND_KEYS:
        label = FAMILY_LABELS[family]
        at = show(at, {TREND_TAB_KEY: label})
        specs = valid_charts(at)
        assert specs, f"{label}: no chart"
        drawn[family] = {json.dumps(spec["encoding"]["y"]["title"]) for spec in specs}
        # Every chart on the page is the open family's: one per unit of its KPIs.
        units = {d.unit for d in KPIS if d.key in TREND_KEYS[family]}
        assert len(specs) == len(units), (label, len(specs), units)
    assert len({frozenset(titles) for titles in drawn.values()}) > 1, "the tabs draw different charts"


def test_the_period_picked_stays_while_the_digest_tab_is_open(session):
    make_user(session, Role.viewer, username="viewer")
    make_channel(session, name="Instagram")
    session.commit()
    at = open_page("kpis", username="viewer")
    at.segmented_control(key="kpis_kind").set_value(PeriodKind.week).run()
    assert "against the 7 days before" in texts(at)
    assert not at.get("text_input") and "Hero of the week" not in texts(at)  # the digest is not drawn

    digest = show(at, {"kpis_tab": "Weekly digest"})
    assert not digest.exception, [e.message for e in digest.exception]
    assert "## Hero of the week" in texts(digest) and not digest.metric  # the cards are not drawn

    back = show(digest, {"kpis_tab": "Overview"})
    assert not back.exception
    assert back.segmented_control(key="kpis_kind").value == PeriodKind.week
    assert "against the 7 days before" in texts(back)


@pytest.fixture
def widget_warnings(monkeypatch):
    """What Streamlit logs about a widget given a default and a value from the session (it warns
    once per process: the flag is reset for the test)."""
    import logging

    from streamlit.elements.lib import policies

    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    caught: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record.getMessage())

    handler = Catch(level=logging.WARNING)
    policies._LOGGER.addHandler(handler)
    yield caught
    policies._LOGGER.removeHandler(handler)


def test_the_month_picked_stays_across_tabs_without_a_warning_about_two_defaults(session, widget_warnings):
    make_user(session, Role.viewer, username="viewer")
    make_channel(session, name="Instagram")
    session.commit()
    at = open_page("kpis", username="viewer")
    months = at.selectbox(key="kpis_month")
    shown = months.value
    at = months.select_index(len(months.options) - 1).run()
    earlier = at.selectbox(key="kpis_month").value
    assert earlier != shown

    back = show(show(at, {"kpis_tab": "Weekly digest"}), {"kpis_tab": "Overview"})

    assert not back.exception, [e.message for e in back.exception]
    assert back.selectbox(key="kpis_month").value == earlier
    assert back.segmented_control(key="kpis_kind").value == PeriodKind.month
    assert not [m for m in widget_warnings if "default value" in m], widget_warnings


def test_the_weekly_digest_downloads_as_markdown(session, downloads):
    today = workspace_today(session)
    demo.load_demo(session, today=today, password_rounds=4)
    session.commit()
    week = default_period(PeriodKind.week, today)
    expected = render_markdown(weekly_digest(session, week_start=week.start))
    session.rollback()

    at = open_page("kpis", username="viewer", state={"kpis_tab": "Weekly digest"})
    assert not at.exception
    at.button(key="kpis_digest_download").click().run()  # the export runs through the core, audited
    assert not at.exception
    content = downloaded(at, downloads, f"Save {weekly_digest(session, week_start=week.start).filename}").decode()
    assert content == expected
    assert "## Hero of the week" in content and "@ben3" in content  # the demo's chosen hero
    assert not at.get("text_input")  # a viewer reads the digest, never edits it


def test_an_empty_workspace_says_no_data_yet_and_what_to_do(session):
    make_user(session, Role.viewer, username="viewer")
    session.commit()
    at = open_page("kpis", username="viewer")
    assert not at.exception
    assert {value for value, _ in metrics(at).values()} == {NO_DATA}
    page = texts(at) + "\n" + texts(show(at, {"kpis_tab": "Weekly digest"}))
    assert not at.exception
    assert "Enter the audience size per channel" in page
    assert "nan" not in page.lower().split()
    assert "_No answered questions this week._" in page


def test_the_analyst_enters_an_audience_size_and_the_active_share_appears(session):
    make_user(session, Role.analyst, username="ana")
    channel = make_channel(session, name="Instagram")
    today = workspace_today(session)
    month = default_period(PeriodKind.month, today)
    answered(session, channel, day=month.start, minutes=10)
    session.commit()

    at = open_page("kpis", username="ana", state={"kpis_audience_open": True})
    assert metrics(at)["Active share"][0] == NO_DATA
    form_size = next(n for n in at.number_input if n.label == "Audience (people)")
    form_size.set_value(200)
    at = next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Audience of Instagram saved." in texts(at)
    assert metrics(at)["Active share"][0] == "0.5\u00a0%"  # one person of 200


def test_the_community_manager_chooses_the_hero_of_the_week(session):
    make_user(session, Role.community, username="chiara")
    make_channel(session, name="Instagram")
    session.commit()
    at = open_page("kpis", username="chiara", state={"kpis_tab": "Weekly digest"})
    next(t for t in at.text_input if t.label == "Hero of the week (handle)").input("@maker")
    next(t for t in at.text_area if t.label == "Why").input("Wrote the export guide")
    at = next(b for b in at.button if b.label == "Save the digest note").click().run()
    assert not at.exception, [e.message for e in at.exception]
    page = texts(at)
    assert "Digest note saved." in page
    assert "**@maker** — Wrote the export guide" in page


def test_posts_are_ranked_by_the_dialog_they_created(session):
    make_user(session, Role.viewer, username="viewer")
    channel = make_channel(session, name="Instagram")
    tz = workspace.timezone(session)
    last_week = default_period(PeriodKind.week, workspace_today(session))
    out = dt.datetime.combine(last_week.start + dt.timedelta(days=1), dt.time(10), tzinfo=tz).astimezone(dt.UTC)
    reach = make_post(
        session, channel=channel, title="Big reach", status="published", published_at=out, impressions=90000
    )
    talk = make_post(
        session, channel=channel, title="Ask us anything", status="published", published_at=out, impressions=800
    )
    for n, replied in enumerate((True, False)):
        received = out + dt.timedelta(hours=1 + n)
        make_conversation(
            session,
            channel=channel,
            post_id=talk.id,
            kind="question",
            received_at=received,
            deadline_at=received + dt.timedelta(hours=2),
            first_reply_at=received + dt.timedelta(minutes=30) if replied else None,
        )
    session.commit()

    at = open_page("kpis", username="viewer")
    at.segmented_control(key="kpis_kind").set_value(PeriodKind.week).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Posts by the dialog they created" in texts(at)
    ranked = next(df.value for df in at.dataframe if "Conversations" in df.value.columns)
    assert list(ranked["#"]) == [talk.id, reach.id]
    assert list(ranked["Answered"]) == ["1 of 2", "—"]
    assert list(ranked["Impressions"]) == [800, 90000]


def _a_month_in_german_numbers(session, channel) -> None:
    """Last month: a post with 26,000 impressions; five questions, four answered within the SLA in
    3h 05m of business time, one past its deadline unanswered (80.0 % within SLA)."""
    tz = workspace.timezone(session)
    month = default_period(PeriodKind.month, workspace_today(session))
    out = dt.datetime.combine(month.start + dt.timedelta(days=3), dt.time(9), tzinfo=tz).astimezone(dt.UTC)
    post = make_post(
        session, channel=channel, title="Ask the Care Team", status="published", published_at=out, impressions=26000
    )
    for n in range(5):
        received = out + dt.timedelta(days=n, hours=1)
        replied = n < 4
        make_conversation(
            session,
            channel=channel,
            post_id=post.id,
            kind="question",
            received_at=received,
            deadline_at=received + dt.timedelta(hours=8),
            first_reply_at=received + dt.timedelta(minutes=185) if replied else None,
            business_minutes_to_reply=185 if replied else None,
            calendar_minutes_to_reply=185 if replied else None,
        )
    session.commit()


@pytest.mark.parametrize("role", ["lead", "analyst"])
def test_the_kpi_page_reads_german_with_german_numbers(session, team, channel, role, monkeypatch):
    _a_month_in_german_numbers(session, channel)
    week = default_period(PeriodKind.week, workspace_today(session))
    # The digest's preview is a generated text, written in the workspace's language (English
    # here), not in the reader's: it is left out of the check for English.
    heading = render_markdown(weekly_digest(session, week_start=week.start)).splitlines()[0]
    session.rollback()
    every_text = german.page_texts
    monkeypatch.setattr(german, "page_texts", lambda at: [t for t in every_text(at) if not t.startswith(heading)])
    # The overview with the audience sizes opened (the analyst enters them), then the digest's tab.
    at = open_page("kpis", username=role, language="de", state={"kpis_audience_open": True})
    # The tables show German headers (the posts ranked by dialog, the audience sizes).
    headers = [str(c) for df in at.dataframe for c in df.value.columns]
    assert "Gespräche" in headers and "Conversations" not in headers
    if role == "analyst":  # the audience form is drawn
        assert "Publikum (Personen)" in [n.label for n in at.number_input]
    assert not at.exception, [e.message for e in at.exception]
    assert not english_left(at)
    digest = open_page("kpis", username=role, language="de", state={"kpis_tab": "Wochenrückblick"})
    assert not digest.exception, [e.message for e in digest.exception]
    assert [m for m in digest.markdown if m.value.startswith(heading)]  # the preview is there, only not checked
    assert not english_left(digest)
    shown = metrics(at)
    assert shown["Innerhalb SLA beantwortet"][0] == "80,0\u00a0%"
    assert shown["Impressionen"][0] == "26.000"
    assert shown["Erste Antwort (Median)"][0] == "3 Std. 05 Min."
    page = texts(at)
    assert "KPI-Übersicht" in page and "Tempo und Qualität des Dialogs" in page
    month = default_period(PeriodKind.month, workspace_today(session))
    assert f"{month.start:%d.%m.%Y} – {month.end:%d.%m.%Y}" in page  # the comparison caption
    if role == "analyst":  # exports: the CSV for German Excel by default
        assert at.radio(key="kpis_export_dialect").value == exports.Dialect.excel_de
        assert "Excel (Deutschland)" in at.radio(key="kpis_export_dialect").options


def test_the_kpi_report_downloads_for_german_excel_and_the_cli_json_stays_english(
    session, engine, team, channel, downloads
):
    _a_month_in_german_numbers(session, channel)
    month = default_period(PeriodKind.month, workspace_today(session))
    at = open_page("kpis", username="analyst", language="de")
    # AppTest formats the select boxes' options in the test's thread on the next run: in German.
    with i18n.using("de"):
        at.button(key="kpis_export_csv").click().run()
    assert not at.exception, [e.message for e in at.exception]
    name = f"kpis-{month.start:%Y%m%d}-{month.end:%Y%m%d}.csv"
    content = downloaded(at, downloads, f"{name} speichern").decode("utf-8")
    assert content.startswith("\ufeffkey;label;family;unit;better;value;")
    sla = next(line for line in content.splitlines() if line.startswith("sla_share;"))
    assert sla.startswith("sla_share;Innerhalb SLA beantwortet;speed;%;higher;80,0;")

    code, out, _err = run_cli(
        engine, "kpis", "--from", month.start.isoformat(), "--to", month.end.isoformat(), "--json"
    )
    assert code == 0
    kpis = {k["key"]: k for k in json.loads(out)["kpis"]}
    assert kpis["sla_share"]["value"] == 80.0 and kpis["sla_share"]["label"] == "Answered within SLA"
    assert kpis["first_response_median"]["unit"] == "business min"
    assert kpis["impressions"]["detail"] == "" and kpis["sla_share"]["detail"] == "4 met, 1 breached"
