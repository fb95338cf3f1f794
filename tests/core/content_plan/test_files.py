"""The content plan in and out of files: CSV export and import of posts (round trip, bad rows and
headers, owners, separators), the metrics import, and the .ics export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid

import icalendar
import pytest
import vobject
from sqlmodel import select

from core import workspace
from core.content_plan import files, posts, queries
from core.errors import PermissionDenied
from db.models import AuditLog, Post, Workspace, WorkspaceUpdate
from tests.core.content_plan.times import FUTURE, UTC, berlin
from tests.factories import make_ready_post

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here


def test_metrics_csv_import_is_all_or_nothing(write, read, session, team, channel):
    a = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    b = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=FUTURE
    )
    session.commit()
    bad = f"post_id,impressions,next_step_conversions\n{a.id},1000,20\n{b.id},500,5\n{a.id + 999},1,1\n"
    with write() as s:
        report = files.import_metrics_csv(session=s, actor=team["analyst"], data=bad)
    assert [(p.row, p.column) for p in report.problems] == [(3, "post_id"), (4, "post_id")]
    assert "scheduled, not published" in report.problems[0].message
    with read() as s:
        assert queries.get_post(s, a.id).impressions is None
    with write() as s:
        report = files.import_metrics_csv(
            session=s, actor=team["analyst"], data=f"post_id,impressions,next_step_conversions,saves\n{a.id},1000,20,\n"
        )
    assert report.ok and report.updated == 1
    with read() as s:
        view = queries.get_post(s, a.id)
    assert (view.impressions, view.next_step_conversions, view.saves) == (1000, 20, None)


# --- CSV export and import ---------------------------------------------------------------------------


def _export(write, team, start, end) -> str:
    with write() as s:
        return files.export_posts_csv(session=s, actor=team["analyst"], start=start, end=end)


def test_csv_export_then_import_round_trips_the_posts(write, read, session, team, channel):
    tricky = '=HYPERLINK("http://evil")\nsecond line, with "quotes"; and ümläuts'
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="-minus first",
        body=tricky,
        owner_id=team["owner"].id,
        scheduled_at=berlin(2031, 10, 26, 2, 30),
        format="video",
        subtitles=True,
        timecodes=True,
        sponsored=True,
        partner="Acme",
        ad_label=True,
        link_url="https://example.com/?utm_source=a&utm_medium=b&utm_campaign=c",
    )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=None,
        title="Plain",
        scheduled_at=berlin(2031, 10, 27, 9),
        rubric_id=None,
        cognitive_load="high",
        owner_id=team["lead"].id,
    )
    session.commit()
    start, end = berlin(2031, 10, 1), berlin(2031, 11, 1)
    exported = _export(write, team, start, end)
    first_row = next(csv.DictReader(io.StringIO(exported)))
    assert first_row["title"] == "'-minus first" and first_row["body"].startswith("'=HYPERLINK")
    assert first_row["scheduled_at"] == "2031-10-26 02:30+02:00"

    with write() as s:  # import it back: a second copy of each post, as drafts
        report = files.import_posts_csv(session=s, actor=team["lead"], data=exported)
    assert report.ok and report.created == 2
    with read() as s:
        rows = s.exec(select(Post).order_by(Post.id)).all()
    originals, copies = rows[:2], rows[2:]
    compared = [f for f in queries.EDITABLE_FIELDS]
    for original, copy in zip(originals, copies, strict=True):
        assert {f: getattr(copy, f) for f in compared} == {f: getattr(original, f) for f in compared}
        assert copy.status == "draft"
    reexported = _export(write, team, start, end)

    def strip(text):
        return sorted(
            tuple(v for k, v in r.items() if k not in ("id", "status")) for r in csv.DictReader(io.StringIO(text))
        )

    assert strip(reexported) == sorted(strip(exported) * 2)


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_row_and_column(write, read, team, channel):
    text = (
        "title,channel,format,scheduled_at,owner,tone_confirmed,link_url\n"
        "Fine post,Instagram,text,2031-03-10 10:00,,yes,\n"
        ",Instagram,text,,,,\n"
        "Bad time,Instagram,text,2031-03-30 02:30,,,\n"
        "Bad channel,Tiktok,gif,,nobody,maybe,\n"
        "Bad link,instagram,text,,,,ftp://x\n"
    )
    with write() as s:
        report = files.import_posts_csv(session=s, actor=team["lead"], data=text)
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "title"),
        (4, "scheduled_at"),
        (5, "channel"),
        (5, "owner"),
        (5, "tone_confirmed"),
        (6, "link_url"),
    ]
    assert "No channel called 'Tiktok'" in report.problems[2].message
    with read() as s:
        assert s.exec(select(Post)).all() == []


def test_a_publication_time_in_the_autumn_hour_asks_for_the_offset(write, read, team, channel):
    text = "title,channel,scheduled_at\nTwice,Instagram,2031-10-26 02:30\n"
    with write() as s:
        report = files.import_posts_csv(session=s, actor=team["lead"], data=text)
    assert [(p.row, p.column) for p in report.problems] == [(2, "scheduled_at")]
    assert "happened twice" in report.problems[0].message and "2031-10-26 02:30+02:00" in report.problems[0].message
    with read() as s:
        assert s.exec(select(Post)).all() == []
    with write() as s:
        report = files.import_posts_csv(session=s, actor=team["lead"], data=text.replace("02:30", "02:30+01:00"))
    assert report.ok
    with read() as s:
        assert s.exec(select(Post)).one().scheduled_at == dt.datetime(2031, 10, 26, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "column"),
    [("title,channel,colour\nA,Instagram,red\n", "colour"), ("title\nA\n", "channel"), ("title,channel\n", "")],
)
def test_a_csv_with_a_wrong_header_is_refused(write, team, channel, text, column):
    with write() as s:
        report = files.import_posts_csv(session=s, actor=team["lead"], data=text)
    assert not report.ok and report.problems[0].column == column


def test_an_editor_cannot_import_posts_owned_by_someone_else(write, read, team, channel):
    text = f"title,channel,owner\nMine,Instagram,{team['editor'].username}\nTheirs,Instagram,{team['owner'].username}\n"
    with write() as s:
        report = files.import_posts_csv(session=s, actor=team["editor"], data=text)
    assert [(p.row, p.column) for p in report.problems] == [(3, "owner")]
    assert "only posts you own" in report.problems[0].message
    with read() as s:
        assert s.exec(select(Post)).all() == []
    with write() as s:
        report = files.import_posts_csv(session=s, actor=team["lead"], data=text)
    assert report.created == 2


def test_semicolon_csv_from_a_german_spreadsheet_imports(write, read, team, channel):
    with write() as s:
        report = files.import_posts_csv(
            session=s, actor=team["editor"], data="title;channel;body\nHallo;Instagram;Grüße, alle\n"
        )
    assert report.created == 1
    with read() as s:
        post = s.exec(select(Post)).one()
    assert (post.body, post.owner_id) == ("Grüße, alle", team["editor"].id)


def test_csv_export_needs_export_rights(write, team, channel):
    with pytest.raises(PermissionDenied), write() as s:
        files.export_posts_csv(session=s, actor=team["editor"], start=berlin(2031, 1, 1), end=berlin(2031, 2, 1))


# --- iCalendar ---------------------------------------------------------------------------------------


def test_ics_export_parses_back_with_utc_times_and_stable_uids(write, session, team, channel):
    scheduled = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="Myth: exports",
        status="scheduled",
        scheduled_at=berlin(2031, 7, 1, 18, 30),
    )
    published = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="Retro",
        status="published",
        scheduled_at=berlin(2031, 7, 2, 9),
        published_at=berlin(2031, 7, 2, 9),
    )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="Just a draft",
        status="draft",
        scheduled_at=berlin(2031, 7, 3, 9),
    )
    session.commit()
    with write() as s:
        data = files.export_ics(session=s, actor=team["viewer"], start=berlin(2031, 7, 1), end=berlin(2031, 8, 1))
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["[Instagram] Myth: exports", "[Instagram] Retro"]
    first = events[0]
    assert first.decoded("dtstart") == dt.datetime(2031, 7, 1, 16, 30, tzinfo=UTC)
    assert b"DTSTART:20310701T163000Z" in data
    assert first.decoded("dtend") - first.decoded("dtstart") == dt.timedelta(minutes=30)
    uid = workspace.info(session).uid
    assert [str(e["uid"]) for e in events] == [files.post_uid(scheduled.id, uid), files.post_uid(published.id, uid)]
    assert all(str(e["status"]) == "CONFIRMED" for e in events)
    with write() as s:
        again = files.export_ics(session=s, actor=team["viewer"], start=berlin(2031, 7, 1), end=berlin(2031, 8, 1))
    assert again == data


JULY = (berlin(2031, 7, 1), berlin(2031, 8, 1))


def _ics_events(data: bytes) -> dict[str, dict[str, object]]:
    """The events of an .ics file by UID, read by icalendar and checked against vobject: both
    parsers must see the same UID, status and sequence."""
    by_icalendar = {
        str(e["uid"]): {"status": str(e["status"]), "sequence": int(e["sequence"]), "summary": str(e["summary"])}
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
    }
    parsed = vobject.readOne(data.decode("utf-8"))
    by_vobject = {
        e.uid.value: {"status": e.status.value, "sequence": int(e.sequence.value), "summary": e.summary.value}
        for e in parsed.vevent_list
    }
    assert by_vobject == by_icalendar
    return by_icalendar


def _export_july(write, actor) -> bytes:
    with write() as s:
        return files.export_ics(session=s, actor=actor, start=JULY[0], end=JULY[1])


def _step(write, actor, post_id: int, target: str, **kwargs) -> None:
    with write() as s:
        version = s.get(Post, post_id).version
        posts.change_status(session=s, actor=actor, post_id=post_id, expected_version=version, target=target, **kwargs)


@pytest.mark.parametrize(
    ("off_the_schedule", "label"), [("cancelled", "cancelled"), ("approved", "taken off the schedule")]
)
def test_a_post_taken_off_the_schedule_is_sent_as_cancelled_with_a_higher_sequence(
    write, session, team, channel, off_the_schedule, label
):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, title="Myth: the Q&A", status="approved"
    )
    never = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="Dropped draft",
        status="draft",
        scheduled_at=berlin(2031, 7, 4, 9),
    )
    session.commit()
    _step(write, team["lead"], post.id, "scheduled", scheduled_at=berlin(2031, 7, 3, 18))
    uid = files.post_uid(post.id, workspace.info(session).uid)
    before = _ics_events(_export_july(write, team["viewer"]))
    assert list(before) == [uid]
    assert before[uid]["status"] == "CONFIRMED"

    _step(write, team["lead"], post.id, off_the_schedule)
    _step(write, team["lead"], never.id, "cancelled")  # never on the plan: in nobody's calendar
    after = _ics_events(_export_july(write, team["viewer"]))
    assert list(after) == [uid], label
    assert after[uid]["status"] == "CANCELLED"
    assert after[uid]["sequence"] > before[uid]["sequence"]
    assert after[uid]["summary"] == before[uid]["summary"]


def test_a_post_scheduled_again_is_confirmed_with_a_still_higher_sequence(write, session, team, channel):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="approved")
    session.commit()
    uid = files.post_uid(post.id, workspace.info(session).uid)
    sequences = []
    for target, kwargs in (
        ("scheduled", {"scheduled_at": berlin(2031, 7, 3, 18)}),
        ("approved", {}),
        ("scheduled", {"scheduled_at": berlin(2031, 7, 5, 12)}),
    ):
        _step(write, team["lead"], post.id, target, **kwargs)
        event = _ics_events(_export_july(write, team["viewer"]))[uid]
        sequences.append((event["status"], event["sequence"]))
    assert [status for status, _ in sequences] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert [n for _, n in sequences] == sorted({n for _, n in sequences})  # strictly rising


def test_a_compliance_block_takes_a_scheduled_post_out_of_the_calendars(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=berlin(2031, 7, 3)
    )
    session.commit()
    uid = files.post_uid(post.id, workspace.info(session).uid)
    first = _ics_events(_export_july(write, team["viewer"]))[uid]
    with write() as s:
        posts.block_post(
            session=s, actor=team["compliance"], post_id=post.id, expected_version=post.version, reason="No disclaimer"
        )
    blocked = _ics_events(_export_july(write, team["viewer"]))[uid]
    assert (first["status"], blocked["status"]) == ("CONFIRMED", "CANCELLED")
    assert blocked["sequence"] > first["sequence"]


def test_the_uids_carry_the_workspace_s_own_uid_generated_once(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=berlin(2031, 7, 3)
    )
    session.commit()
    uid = workspace.info(session).uid
    assert str(uuid.UUID(uid)) == uid  # a real uuid, stored with the workspace
    with write() as s:
        workspace.update_settings(
            session=s,
            actor=team["admin"],
            expected_version=workspace.info(s).version,
            settings_in=WorkspaceUpdate(name="Dialog Desk Berlin"),
        )
    assert workspace.info(session).uid == uid  # settings changes keep it
    (event_uid,) = _ics_events(_export_july(write, team["viewer"]))
    assert event_uid == f"post-{post.id}.{uid}@dialog-desk"
    other = Workspace()
    assert other.uid != uid and str(uuid.UUID(other.uid)) == other.uid  # another workspace, another uid


def test_the_posts_export_for_german_excel_writes_semicolons_a_decimal_comma_and_records_the_format(
    write, read, session, team, channel
):
    make_ready_post(
        session,
        channel=channel,
        title="Frühlingsaktion; mit Semikolon",
        scheduled_at=berlin(2031, 3, 3, 10),
        impressions=26000,
        next_step_conversions=520,
    )
    session.commit()
    with write() as s:
        data = files.export_posts_csv(
            session=s, actor=team["analyst"], start=berlin(2031, 3, 1), end=berlin(2031, 4, 1), dialect="excel_de"
        )
    assert data.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(data.removeprefix("\ufeff")), delimiter=";"))
    assert [(r["title"], r["impressions"], r["conversion_rate"]) for r in rows] == [
        ("Frühlingsaktion; mit Semikolon", "26000", "0,02")
    ]
    with read() as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "posts.export")).one()
    assert json.loads(audit.after or "{}")["dialect"] == "excel_de"
