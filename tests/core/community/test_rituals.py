"""Rituals and the showcase: newcomers' onboarding, hero suggestions, UGC consent and its export,
recurring formats that become calendar drafts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.community import rituals
from core.errors import ConflictError, PermissionDenied, ValidationError
from core.i18n import using
from db.models import Post, RitualFormatCreate, Rubric, WeeklyDigestNote, Workspace
from tests.factories import make_conversation

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def community(write, channel):
    with write() as s:
        make_conversation(
            s, channel=channel, author_handle="@New.Nina", received_at=ago(2), kind="question", text="How?"
        )
        make_conversation(
            s,
            channel=channel,
            author_handle="@Old.Otto",
            received_at=ago(5),
            kind="question",
            text="Why?",
            first_reply_at=ago(4.9),
        )
        make_conversation(s, channel=channel, author_handle="@Old.Otto", received_at=ago(200), kind="praise", text="Hi")
        make_conversation(
            s,
            channel=channel,
            author_handle="@fresh",
            received_at=ago(1),
            kind="question",
            text="Hello",
            first_reply_at=ago(0.9),
        )
        for i in range(3):
            make_conversation(
                s,
                channel=channel,
                author_handle="Doc James",
                received_at=ago(3 + i),
                kind="ugc",
                useful=True,
                text=f"Setup tip {i}",
                best=i == 0,
            )
        make_conversation(
            s,
            channel=channel,
            author_handle="@mia",
            received_at=ago(4),
            kind="ugc",
            useful=True,
            text="My =cmd() dashboard",
        )


def test_onboarding_lists_newcomers_not_yet_welcomed_first(community, write, read, team):
    with read() as s:
        queue = {n.key: n for n in rituals.newcomers(session=s, now=NOW)}
    assert "old.otto" not in queue  # first seen 200 days ago: no newcomer
    assert queue["new.nina"].first_question_answered is False and queue["fresh"].first_question_answered is True
    with write() as s:
        rituals.tick_onboarding(session=s, actor=team["community"], handle="fresh", step="welcomed", now=NOW)
        rituals.tick_onboarding(session=s, actor=team["community"], handle="fresh", step="rules_linked", now=NOW)
    with write() as s, pytest.raises(ConflictError):
        rituals.tick_onboarding(session=s, actor=team["lead"], handle="fresh", step="welcomed", now=NOW)
    with write() as s, pytest.raises(PermissionDenied):
        rituals.tick_onboarding(session=s, actor=team["editor"], handle="new.nina", step="welcomed", now=NOW)
    with read() as s:
        queue = rituals.newcomers(session=s, now=NOW)
    assert queue[-1].key == "fresh" and queue[-1].done
    assert not queue[0].welcomed


def test_hero_suggestions_rank_best_answers_and_useful_contributions(community, write, read):
    with write() as s:
        s.add(WeeklyDigestNote(week_start=dt.date(2026, 6, 1), hero_handle="Doc James", hero_reason="Setup tips"))
    with read() as s:
        heroes = rituals.hero_suggestions(s, start=ago(7), end=NOW)
        history = rituals.hero_history(s)
    assert [h.display for h in heroes] == ["Doc James", "@mia"]
    assert (heroes[0].useful, heroes[0].best) == (3, 1)
    assert history == ((dt.date(2026, 6, 1), "Doc James", "Setup tips"),)


def test_showcase_records_consent_and_exports_only_what_authors_allowed(community, write, read, team):
    with read() as s:
        items = rituals.showcase(s, since=ago(30))
    assert len(items) == 4 and all(i.consent is None for i in items)
    doc = next(i for i in items if i.text == "Setup tip 0")
    mia = next(i for i in items if i.author == "@mia")
    with write() as s:
        rituals.record_consent(session=s, actor=team["community"], conversation_id=doc.conversation_id, status="asked")
        rituals.record_consent(session=s, actor=team["community"], conversation_id=doc.conversation_id, status="given")
        rituals.record_consent(session=s, actor=team["community"], conversation_id=mia.conversation_id, status="given")
        other = next(i for i in items if i.text == "Setup tip 1")
        rituals.record_consent(
            session=s, actor=team["community"], conversation_id=other.conversation_id, status="refused"
        )
    with write() as s, pytest.raises(ValidationError):
        rituals.record_consent(session=s, actor=team["community"], conversation_id=doc.conversation_id, status="maybe")
    with write() as s:
        csv = rituals.export_showcase(session=s, actor=team["community"], since=ago(30))
    lines = csv.strip().split("\r\n")
    assert lines[0] == "author,channel,received,text,best answer"
    assert len(lines) == 3 and "Setup tip 0" in csv and "Setup tip 1" not in csv
    assert "'=cmd()" not in csv and "My =cmd() dashboard" in csv  # a cell only neutralised at its start


def test_a_recurring_format_drafts_each_week_once(write, read, team, channel):
    with write() as s:
        rubric = s.exec(select(Rubric).where(Rubric.name == "Question of the week")).one()
        rituals.add_ritual(
            session=s,
            actor=team["lead"],
            ritual=RitualFormatCreate(
                name="Friday AMA",
                weekday=4,
                local_time="17:00",
                channel_id=channel.id,
                rubric_id=rubric.id,
                prompt="Ask us anything!",
            ),
        )
    with write() as s, pytest.raises(ValidationError, match="HH:MM"):
        rituals.add_ritual(
            session=s,
            actor=team["lead"],
            ritual=RitualFormatCreate(name="Briefing", weekday=0, local_time="9am", channel_id=channel.id),
        )
    with write() as s, pytest.raises(PermissionDenied):
        rituals.add_ritual(
            session=s,
            actor=team["community"],
            ritual=RitualFormatCreate(name="X", weekday=0, local_time="09:00", channel_id=channel.id),
        )
    # Wednesday 25 March 2026: the Fridays are the 27th (CET) and 3 April (CEST).
    with write() as s:
        created = rituals.draft_rituals(session=s, actor=team["lead"], today=dt.date(2026, 3, 25), tz=BERLIN)
    with write() as s:
        again = rituals.draft_rituals(session=s, actor=team["lead"], today=dt.date(2026, 3, 26), tz=BERLIN)
    with read() as s:
        drafts = s.exec(select(Post).order_by(Post.scheduled_at)).all()
    assert (created, again) == (2, 0)
    assert [(p.title, p.status, p.body) for p in drafts] == [
        ("Friday AMA · 27 Mar", "draft", "Ask us anything!"),
        ("Friday AMA · 3 Apr", "draft", "Ask us anything!"),
    ]
    assert [p.scheduled_at for p in drafts] == [
        dt.datetime(2026, 3, 27, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 3, 15, tzinfo=dt.UTC),
    ]


def test_ritual_drafts_are_written_in_the_workspace_language(write, read, team, channel):
    """A German workspace gets German draft titles, whatever language the lead reads in; a wrong
    time is refused in the reader's language."""
    with write() as s:
        s.exec(select(Workspace)).one().language = "de"
        rituals.add_ritual(
            session=s,
            actor=team["lead"],
            ritual=RitualFormatCreate(
                name="Freitags-AMA", weekday=4, local_time="17:00", channel_id=channel.id, prompt="Fragt uns alles!"
            ),
        )
    with write() as s:
        rituals.draft_rituals(session=s, actor=team["lead"], today=dt.date(2026, 3, 25), tz=BERLIN)
    with read() as s:
        titles = [p.title for p in s.exec(select(Post).order_by(Post.scheduled_at))]
    assert titles == ["Freitags-AMA · 27. März", "Freitags-AMA · 3. Apr."]
    with using("de"), write() as s, pytest.raises(ValidationError, match="Schreib die Uhrzeit als HH:MM"):
        rituals.add_ritual(
            session=s,
            actor=team["lead"],
            ritual=RitualFormatCreate(name="Briefing", weekday=0, local_time="9 Uhr", channel_id=channel.id),
        )
