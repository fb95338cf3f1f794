"""The weekly digest: what it picks for a week, the community manager's note, Markdown, the post draft."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import audit
from core.content_plan.queries import get_post
from core.errors import ConflictError, PermissionDenied, ValidationError
from core.kpis.digest import (
    digest_note,
    draft_digest_post,
    hero_suggestions,
    render_markdown,
    save_digest_note,
    weekly_digest,
)
from db.models import LoopItem, Post, PostStatus, QuickAnswer, Role, WeeklyDigestNote, WeeklyDigestNoteSave
from tests.factories import make_conversation, make_post, make_user

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = dt.date(2025, 3, 3)


def berlin(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def community(session):
    return make_user(session, Role.community)


def question(session, channel, *, at, text="How do I export?", engagement=0, replied=True, **fields):
    return make_conversation(
        session,
        channel=channel,
        received_at=at,
        kind=fields.pop("kind", "question"),
        text=text,
        engagement=engagement,
        first_reply_at=at + dt.timedelta(minutes=30) if replied else None,
        **fields,
    )


def test_best_questions_come_marked_best_first_then_by_engagement_answered_and_in_the_week(session, channel):
    answer = QuickAnswer(
        title="Export to CSV", text="Open the list, then Export.", link="https://example.com/guide/export"
    )
    session.add(answer)
    session.flush()
    question(session, channel, at=berlin(4, 10), text="Low", engagement=1)
    question(session, channel, at=berlin(4, 11), text="High", engagement=30, quick_answer_id=answer.id)
    question(session, channel, at=berlin(5, 10), text="Marked best", engagement=0, best=True)
    question(session, channel, at=berlin(5, 11), text="Unanswered", engagement=99, replied=False)
    question(session, channel, at=berlin(5, 12), text="A complaint", engagement=80, kind="complaint")
    question(session, channel, at=berlin(10, 10), text="Next week", engagement=99)
    question(session, channel, at=berlin(2, 23, 59), text="Last week", engagement=99)

    weekly = weekly_digest(session, week_start=MONDAY)
    assert [b.text for b in weekly.best] == ["Marked best", "High", "Low"]
    assert (weekly.best[1].answer_title, weekly.best[1].answer_link) == (
        "Export to CSV",
        "https://example.com/guide/export",
    )
    markdown = render_markdown(weekly)
    assert "**A:** **Export to CSV:** Open the list, then Export. <https://example.com/guide/export>" in markdown
    assert "**Q:** Marked best — @" in markdown


def test_the_best_answers_are_the_replies_the_team_really_sent(session, channel, team):
    from core.sla import conversations

    answer = QuickAnswer(title="Export to CSV", text="Open the list, then Export.", link="https://example.com/guide")
    session.add(answer)
    session.flush()
    asked = question(session, channel, at=berlin(4, 10), text="Can I export to Excel?", engagement=12, replied=False)
    session.commit()
    conversations.log_reply(
        session=session,
        actor=team["support"],
        conversation_id=asked.id,
        expected_version=asked.version,
        replied_at=berlin(4, 10, 20),
        quick_answer_id=answer.id,
        text="Yes: open the list, then Export → Excel. [Guide](https://evil.example)",
        now=berlin(4, 12),
    )
    weekly = weekly_digest(session, week_start=MONDAY)
    assert weekly.best[0].reply_text == "Yes: open the list, then Export → Excel. [Guide](https://evil.example)"
    markdown = render_markdown(weekly)
    assert (
        # the link typed in the reply is broken (word joiner), the quick answer's own guide link kept
        "**A:** Yes: open the list, then Export → Excel. \\[Guide\\](https:\u2060//evil.example) <https://example.com/guide>"
        in (markdown)
    )
    assert "Open the list, then Export." not in markdown  # the library text is not what was sent


def test_hero_suggestions_rank_useful_ugc_and_best_conversations(session, channel):
    for _ in range(2):
        make_conversation(
            session, channel=channel, received_at=berlin(4, 10), kind="ugc", useful=True, author_handle="@maker"
        )
    make_conversation(
        session,
        channel=channel,
        received_at=berlin(4, 10),
        kind="ugc",
        useful=False,
        author_handle="@maker",
        engagement=50,
    )
    question(session, channel, at=berlin(5, 10), best=True, author_handle="@asker", engagement=40)
    make_conversation(
        session,
        channel=channel,
        received_at=berlin(5, 10),
        kind="ugc",
        useful=True,
        author_handle="@quiet",
        engagement=1,
    )
    make_conversation(
        session,
        channel=channel,
        received_at=berlin(5, 10),
        kind="ugc",
        useful=False,
        author_handle="@nobody",
        engagement=99,
    )
    suggestions = hero_suggestions(session, week_start=MONDAY)
    assert [(s.handle, s.useful_ugc, s.best) for s in suggestions] == [
        ("@maker", 2, 0),
        ("@asker", 0, 1),
        ("@quiet", 1, 0),
    ]


def test_loop_items_closed_that_week_and_shipped_ones_awaiting_their_announcement(session, channel):
    session.add_all(
        [
            LoopItem(
                what_changed="Dark mode",
                shipped_on=dt.date(2025, 2, 25),
                status="announced",
                announced_at=berlin(5, 12),
            ),
            LoopItem(what_changed="Passkeys", shipped_on=dt.date(2025, 3, 6)),
            LoopItem(
                what_changed="Announced later",
                shipped_on=dt.date(2025, 3, 4),
                status="announced",
                announced_at=berlin(12, 12),
            ),
            LoopItem(what_changed="Old news", shipped_on=dt.date(2025, 1, 5)),
        ]
    )
    session.flush()
    weekly = weekly_digest(session, week_start=MONDAY)
    assert [(i.what_changed, i.announced_on) for i in weekly.loop_closed] == [("Dark mode", dt.date(2025, 3, 5))]
    assert [i.what_changed for i in weekly.shipped] == ["Passkeys"]
    markdown = render_markdown(weekly)
    assert "- Dark mode (shipped 2025-02-25, announced 2025-03-05)" in markdown
    assert "- Passkeys (shipped 2025-03-06; announcement to follow)" in markdown


def test_next_topic_is_the_chosen_one_or_else_the_next_planned_post(session, channel, community):
    make_post(session, channel=channel, title="Draft only", status=PostStatus.draft, scheduled_at=berlin(10, 9))
    make_post(
        session,
        channel=channel,
        title="How notifications work",
        status=PostStatus.scheduled,
        scheduled_at=berlin(11, 9),
    )
    weekly = weekly_digest(session, week_start=MONDAY)
    assert weekly.next_topic == "How notifications work"
    save_digest_note(
        session=session,
        actor=community,
        note_in=WeeklyDigestNoteSave(week_start=MONDAY, hero_handle="", hero_reason="", next_topic="AMA on Friday"),
        expected_version=None,
    )
    assert weekly_digest(session, week_start=MONDAY).next_topic == "AMA on Friday"


def test_an_empty_week_reads_as_a_digest_with_nothing_yet(session, channel):
    markdown = render_markdown(weekly_digest(session, week_start=MONDAY))
    assert markdown.startswith("# Digest of the week · 2025-03-03 – 2025-03-09\n")
    for empty in (
        "_No answered questions this week._",
        "_Not chosen yet._",
        "_No loop closed this week._",
        "_To be announced._",
    ):
        assert empty in markdown


def test_user_text_cannot_become_links_html_or_headings_in_the_markdown(session, channel, community):
    question(
        session,
        channel,
        at=berlin(4, 10),
        text="[win](https://evil.example) <img src=x> ![i](y)",
        author_handle="@a_b*",
    )
    save_digest_note(
        session=session,
        actor=community,
        note_in=WeeklyDigestNoteSave(
            week_start=MONDAY, hero_handle="@hero", hero_reason=":red[shout] $x$", next_topic="# Big\n- list"
        ),
        expected_version=None,
    )
    markdown = render_markdown(weekly_digest(session, week_start=MONDAY))
    # A word joiner (U+2060) after "https:" keeps the address from becoming a bare link.
    assert "\\[win\\](https:\u2060//evil.example) \\<img src=x\\> !\\[i\\](y)" in markdown
    assert r"@a\_b\*" in markdown
    assert ":\u2060red\\[shout\\] \\$x\\$" in markdown  # the joiner: no coloured span either
    assert "\n\\# Big - list\n" in markdown  # one line: the dash starts no list
    assert not re.search(r"(?<!\\)\]\(https://evil", markdown)  # a link needs an unescaped "]("


def test_the_digest_note_needs_edit_digest_and_is_audited(session, channel, community):
    viewer = make_user(session, Role.viewer)
    analyst = make_user(session, Role.analyst)
    for actor in (viewer, analyst):
        with pytest.raises(PermissionDenied):
            save_digest_note(
                session=session,
                actor=actor,
                note_in=WeeklyDigestNoteSave(week_start=MONDAY, hero_handle="@x", hero_reason="", next_topic=""),
                expected_version=None,
            )
    note = save_digest_note(
        session=session,
        actor=community,
        note_in=WeeklyDigestNoteSave(
            week_start=MONDAY, hero_handle=" @maker ", hero_reason="Wrote the export guide.", next_topic="Exports"
        ),
        expected_version=None,
    )
    assert (note.hero_handle, note.version) == ("@maker", 1)
    lead = make_user(session, Role.lead)
    note = save_digest_note(
        session=session,
        actor=lead,
        note_in=WeeklyDigestNoteSave(
            week_start=MONDAY, hero_handle="@maker", hero_reason="Guide", next_topic="Exports"
        ),
        expected_version=1,
    )
    assert note.version == 2
    row_id = session.exec(select(WeeklyDigestNote.id)).one()
    actions = [entry.action for entry in audit.history(session, entity="weekly_digest_note", entity_id=row_id)]
    assert sorted(actions) == ["digest_note.create", "digest_note.update"]


def test_a_second_save_over_a_newer_note_is_refused(session, channel, community):
    save_digest_note(
        session=session,
        actor=community,
        note_in=WeeklyDigestNoteSave(week_start=MONDAY, hero_handle="@one", hero_reason="", next_topic=""),
        expected_version=None,
    )
    # Someone who opened the week before the note existed, and someone holding version 1 after it moved on.
    with pytest.raises(ConflictError):
        save_digest_note(
            session=session,
            actor=community,
            note_in=WeeklyDigestNoteSave(week_start=MONDAY, hero_handle="@two", hero_reason="", next_topic=""),
            expected_version=None,
        )
    save_digest_note(
        session=session,
        actor=community,
        note_in=WeeklyDigestNoteSave(week_start=MONDAY, hero_handle="@three", hero_reason="", next_topic=""),
        expected_version=1,
    )
    with pytest.raises(ConflictError):
        save_digest_note(
            session=session,
            actor=community,
            note_in=WeeklyDigestNoteSave(week_start=MONDAY, hero_handle="@four", hero_reason="", next_topic=""),
            expected_version=1,
        )
    assert digest_note(session, week_start=MONDAY).hero_handle == "@three"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"week_start": dt.date(2025, 3, 4)}, "starts on a Monday"),
        ({"hero_reason": "Great work"}, "Name the hero"),
        ({"next_topic": "x" * 301}, "at most 300"),
        ({"hero_handle": "@" + "x" * 120}, "at most 120"),
    ],
)
def test_a_bad_digest_note_says_what_to_fix(session, channel, community, fields, message):
    values = {"week_start": MONDAY, "hero_handle": "", "hero_reason": "", "next_topic": ""} | fields
    with pytest.raises(ValidationError, match=message):
        save_digest_note(
            session=session, actor=community, note_in=WeeklyDigestNoteSave(**values), expected_version=None
        )


def test_the_digest_is_drafted_as_a_digest_of_the_week_post(session, channel):
    question(session, channel, at=berlin(4, 10), text="Where is my invoice?", engagement=5)
    editor = make_user(session, Role.editor)
    post_id = draft_digest_post(session=session, actor=editor, week_start=MONDAY, channel_id=channel.id)
    post = get_post(session, post_id)
    assert (post.status, post.rubric_name, post.channel_id, post.owner_id) == (
        PostStatus.draft,
        "Digest of the week",
        channel.id,
        editor.id,
    )
    assert post.title == "Digest of the week · 2025-03-03 – 2025-03-09"
    assert "Where is my invoice?" in post.body
    assert post.next_step_type  # the template's next step comes along


def test_only_people_who_draft_posts_can_draft_the_digest(session, channel):
    viewer = make_user(session, Role.viewer)
    with pytest.raises(PermissionDenied):
        draft_digest_post(session=session, actor=viewer, week_start=MONDAY, channel_id=channel.id)
    assert session.exec(select(Post.id)).first() is None
