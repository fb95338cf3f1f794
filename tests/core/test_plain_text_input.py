"""Text typed on the screens never holds NUL or another C0 control character: every core service
that takes free text refuses it with a message naming the field, and saves nothing. Tab, line
feed and carriage return stay allowed where text runs over several lines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from core import workspace
from core.content_plan import house_rules, posts
from core.content_plan.validation import post_create, post_update
from core.errors import ValidationError
from core.ideas import capture, triage
from core.kpis import digest
from core.loop import announce, items
from core.sla import conversations, policy_admin, quick_answers, teams
from core.text import check_plain_text
from core.users import accounts
from db.models import (
    AuditLog,
    ChannelCreate,
    ConversationCreate,
    EscalationTeamCreate,
    IdeaCreate,
    IdeaUpdate,
    LoopItemCreate,
    LoopItemUpdate,
    QuickAnswerCreate,
    SlaPolicyCreate,
    UserCreate,
    WeeklyDigestNoteSave,
    WorkspaceUpdate,
)
from tests.factories import make_idea, make_post

NUL, ESC, BELL, BACKSPACE = "\x00", "\x1b", "\x07", "\x08"
RECEIVED = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)

# (the field the message names, the service call). Most ids point at records that need not exist:
# the text is checked before anything is looked up; the edits that look their record up first
# (to know whose it is) get one, made in the same transaction, which the refusal rolls back.
CASES = {
    "post title": (
        "title",
        lambda s, t, c: posts.create_post(
            session=s, actor=t["lead"], post_in=post_create({"title": f"Launch{NUL} day", "channel_id": c.id})
        ),
    ),
    "post body": (
        "body",
        lambda s, t, c: posts.create_post(
            session=s,
            actor=t["lead"],
            post_in=post_create({"title": "Launch", "body": f"a{ESC}[31m", "channel_id": c.id}),
        ),
    ),
    "post edit": (
        "next step text",
        lambda s, t, c: posts.update_post(
            session=s,
            actor=t["lead"],
            post_id=make_post(s, channel=c, owner_id=t["lead"].id).id,
            expected_version=1,
            post_in=post_update({"next_step_text": BELL}),
        ),
    ),
    "block reason": (
        "reason for the block",
        lambda s, t, c: posts.block_post(
            session=s, actor=t["compliance"], post_id=1, expected_version=1, reason=f"{NUL}=cmd"
        ),
    ),
    "stop word": (
        "stop word",
        lambda s, t, c: house_rules.add_stop_word(session=s, actor=t["lead"], word=f"free{NUL}"),
    ),
    "rubric": (
        "rubric description",
        lambda s, t, c: house_rules.add_rubric(session=s, actor=t["lead"], name="Tips", description=BACKSPACE),
    ),
    "idea title": (
        "title",
        lambda s, t, c: capture.log_idea(session=s, actor=t["editor"], idea_in=IdeaCreate(title=f"{NUL}=HYPERLINK(1)")),
    ),
    "idea handles": (
        "handles",
        lambda s, t, c: capture.log_idea(
            session=s, actor=t["editor"], idea_in=IdeaCreate(title="Dark mode", handles=["@mila", f"@jo{NUL}nas"])
        ),
    ),
    "idea givers": (
        "handles",
        lambda s, t, c: capture.add_givers(session=s, actor=t["editor"], idea_id=1, handles=ESC),
    ),
    "idea support": (
        "handles",
        lambda s, t, c: capture.add_support(session=s, actor=t["editor"], idea_id=1, handles=ESC),
    ),
    "idea edit": (
        "description",
        lambda s, t, c: capture.update_details(
            session=s, actor=t["lead"], idea_id=make_idea(s).id, expected_version=1, idea_in=IdeaUpdate(description=NUL)
        ),
    ),
    "idea status reason": (
        "reason",
        lambda s, t, c: triage.set_status(
            session=s, actor=t["lead"], idea_id=1, status="declined", expected_version=1, reason=f"no{NUL}"
        ),
    ),
    "conversation text": (
        "text",
        lambda s, t, c: conversations.log_conversation(
            session=s,
            actor=t["support"],
            conversation_in=ConversationCreate(
                channel_id=c.id, author_handle="@Mila_K", text=f"Where is my order?{NUL}", received_at=RECEIVED
            ),
        ),
    ),
    "conversation author": (
        "author's handle",
        lambda s, t, c: conversations.log_conversation(
            session=s,
            actor=t["support"],
            conversation_in=ConversationCreate(channel_id=c.id, author_handle=f"@x{ESC}", received_at=RECEIVED),
        ),
    ),
    "escalation reason": (
        "reason for the escalation",
        lambda s, t, c: conversations.escalate(
            session=s, actor=t["support"], conversation_id=1, expected_version=1, team_id=1, reason=f"legal{NUL}"
        ),
    ),
    "no reply reason": (
        "reason",
        lambda s, t, c: conversations.mark_no_reply_needed(
            session=s, actor=t["support"], conversation_id=1, expected_version=1, reason=f"spam{BELL}"
        ),
    ),
    "quick answer": (
        "text",
        lambda s, t, c: quick_answers.create_quick_answer(
            session=s, actor=t["support"], answer_in=QuickAnswerCreate(title="Refunds", text=f"See{NUL}")
        ),
    ),
    "team": (
        "team description",
        lambda s, t, c: teams.create_team(
            session=s, actor=t["lead"], team_in=EscalationTeamCreate(name="Legal", description=ESC)
        ),
    ),
    "policy": (
        "policy name",
        lambda s, t, c: policy_admin.create_policy(
            session=s, actor=t["lead"], policy_in=SlaPolicyCreate(name=f"Office{NUL}"), calendar=None
        ),
    ),
    "digest note": (
        "reason for the hero",
        lambda s, t, c: digest.save_digest_note(
            session=s,
            actor=t["community"],
            note_in=WeeklyDigestNoteSave(week_start=dt.date(2025, 3, 3), hero_handle="@hero", hero_reason=NUL),
            expected_version=None,
        ),
    ),
    "loop item": (
        "“what changed”",
        lambda s, t, c: items.create_loop_item(
            session=s,
            actor=t["lead"],
            item_in=LoopItemCreate(what_changed=f"Dark mode{NUL}", shipped_on=dt.date(2025, 3, 3), idea_ids=[1]),
        ),
    ),
    "loop item edit": (
        "details",
        lambda s, t, c: items.update_loop_item(
            session=s, actor=t["lead"], loop_item_id=1, expected_version=1, item_in=LoopItemUpdate(details=ESC)
        ),
    ),
    "thanked givers": (
        "handles",
        lambda s, t, c: items.set_thanked(session=s, actor=t["lead"], loop_item_id=1, handles=[f"@mila{NUL}"]),
    ),
    "announcement form link": (
        "link to the idea form",
        lambda s, t, c: announce.draft_announcement(
            session=s, actor=t["lead"], loop_item_id=1, channel_id=c.id, expected_version=1, idea_form_url=NUL
        ),
    ),
    "workspace name": (
        "workspace name",
        lambda s, t, c: workspace.update_settings(
            session=s, actor=t["lead"], expected_version=1, settings_in=WorkspaceUpdate(name=f"Desk{NUL}")
        ),
    ),
    "channel name": (
        "channel name",
        lambda s, t, c: workspace.create_channel(
            session=s, actor=t["admin"], channel_in=ChannelCreate(name=f"Forum{BELL}")
        ),
    ),
    "user name": (
        "name",
        lambda s, t, c: accounts.create_user(
            session=s,
            actor=t["admin"],
            user_in=UserCreate(username="mila", name=f"Mila{NUL} K", role="editor", password="correct-horse-battery"),
        ),
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_typed_text_with_a_control_character_is_refused_naming_the_field(write, read, team, channel, case):
    field, call = CASES[case]
    with read() as s:
        audited = s.exec(select(func.count()).select_from(AuditLog)).one()
    with pytest.raises(ValidationError) as refused, write() as s:
        call(s, team, channel)
    message = str(refused.value)
    assert f"The {field} contains an invisible control character (U+00" in message
    assert "delete it" in message
    with read() as s:
        assert s.exec(select(func.count()).select_from(AuditLog)).one() == audited  # nothing saved


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"])
def test_every_c0_control_but_tab_and_line_breaks_is_refused(char):
    with pytest.raises(ValidationError, match=rf"U\+{ord(char):04X}"):
        check_plain_text(f"before{char}after", field="title")


@pytest.mark.parametrize(
    "text",
    [
        "Line one\nline two",
        "Windows\r\nline breaks",
        "Old Mac\rline break",
        "Col\tumns",
        "Émojis 🎉, NBSP\u00a0and ümläuts",
        "עברית and العربية",  # right-to-left scripts are text like any other
    ],
)
def test_ordinary_text_passes_unchanged(text):
    assert check_plain_text(text, field="body") == text


def test_a_post_with_line_breaks_and_tabs_is_saved(write, team, channel):
    with write() as s:
        view = posts.create_post(
            session=s,
            actor=team["lead"],
            post_in=post_create({"title": "Launch", "body": "First line\r\n\tsecond", "channel_id": channel.id}),
        )
    assert view.body == "First line\r\n\tsecond"
