"""The demo workspace: realistic, deterministic, idempotent, and never mixed into a real one."""

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import select

from core import demo, workspace
from core.errors import ValidationError
from db.models import (
    Channel,
    Conversation,
    EscalationTeam,
    Idea,
    IdeaGiver,
    LoopItem,
    Post,
    QuickAnswer,
    Role,
    User,
    Vote,
)
from tests.factories import make_user

TODAY = dt.date(2026, 3, 18)


def counts(session) -> dict[str, int]:
    return {
        m.__name__: session.exec(select(func.count()).select_from(m)).one()
        for m in (User, Channel, Post, Idea, IdeaGiver, Vote, Conversation, LoopItem)
    }


def test_demo_has_a_realistic_team_and_history(write, read):
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4)
    with read() as s:
        n = counts(s)
        assert workspace.state(s) == workspace.WorkspaceState.demo
        roles = set(s.exec(select(User.role)).all())
        escalated = s.exec(
            select(func.count()).select_from(Conversation).where(Conversation.escalated_at.is_not(None))
        ).one()
        breached = s.exec(
            select(func.count()).select_from(Conversation).where(Conversation.first_reply_at > Conversation.deadline_at)
        ).one()
    assert roles == {r.value for r in Role}
    assert 3 <= n["Channel"] <= 4
    assert n["Post"] >= 40 and n["Idea"] >= 20 and n["Vote"] > 0 and n["IdeaGiver"] > 0
    assert 200 <= n["Conversation"] <= 600
    assert escalated > 0 and breached > 0
    assert n["LoopItem"] >= 2


def test_demo_is_deterministic_for_a_given_day(tmp_path):
    from db.engine import make_engine, read_session, write_session
    from db.migrate import upgrade_to_head

    snapshots = []
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade_to_head(engine)
        with write_session(engine) as s:
            demo.load_demo(s, today=TODAY, password_rounds=4)
        with read_session(engine) as s:
            titles = s.exec(select(Post.title, Post.scheduled_at).order_by(Post.id)).all()
            conversations = s.exec(
                select(Conversation.author_handle, Conversation.received_at).order_by(Conversation.id)
            ).all()
            snapshots.append((counts(s), titles, conversations))
        engine.dispose()
    assert snapshots[0] == snapshots[1]


def test_loading_twice_changes_nothing(write, read):
    with write() as s:
        demo.load_demo(s, today=TODAY, password_rounds=4)
    with read() as s:
        before = counts(s)
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4) is False
    with read() as s:
        assert counts(s) == before


def test_demo_refuses_a_real_workspace_unless_forced(write, read):
    with write() as s:
        make_user(s, Role.admin, username="root")
    with write() as s, pytest.raises(ValidationError, match="real workspace"):
        demo.load_demo(s, today=TODAY)
    with read() as s:
        assert counts(s)["Post"] == 0


# --- a demo that does not contradict itself ------------------------------------------------------

# Words in what someone wrote → the category a support manager files it under (first match wins).
CATEGORY_BY_WORDS = (
    ("delete everything", "privacy"),
    ("password", "login"),
    ("two-factor", "login"),
    ("invoice", "billing"),
    ("charged", "billing"),
    ("plan", "pricing"),
    ("export", "export"),
    ("spreadsheet", "export"),  # getting data in and out: the chain's "import from Excel" askers
    ("from excel", "export"),
    ("web app", "web app"),
    ("delete something", "productivity"),
    ("notifications", "notifications"),
    ("summary e-mail", "notifications"),
    ("crash", "mobile app"),
    ("deleted", "productivity"),
    ("keyboard", "productivity"),
    ("help centre", "help centre"),
    ("setup video", "community"),
    ("support answered", "community"),
    ("hiring", "company"),
    ("meetup", "events"),
)
# Words in a message → the quick answers that answer it.
ANSWERS_BY_WORDS = (
    ("delete everything", {"Your data"}),
    ("reset e-mail", {"Reset e-mail not arriving"}),
    ("password", {"Reset your password"}),
    ("two-factor", {"Two-factor sign-in"}),
    ("invoice", {"Where is my invoice?"}),
    ("charged", {"Refund request"}),
    ("plan", {"Plans and prices"}),
    ("export", {"Export to CSV"}),
    ("notifications", {"Too many notifications"}),
    ("crash", {"App crashes on start"}),
    ("deleted", {"Restore a deleted list"}),
    ("keyboard", {"Keyboard shortcuts"}),
)
TEAM_BY_CATEGORY = {"billing": "Billing", "pricing": "Billing", "privacy": "Legal"}  # the rest: Product


def _first(table, text):
    lowered = text.lower()
    return next((value for words, value in table if words in lowered), None)


def test_every_demo_conversation_is_filed_answered_and_escalated_where_it_belongs(write, read):
    with write() as s:
        demo.load_demo(s, today=TODAY, password_rounds=4)
    with read() as s:
        rows = s.exec(
            select(Conversation.text, Conversation.category, QuickAnswer.title, EscalationTeam.name)
            .outerjoin(QuickAnswer, QuickAnswer.id == Conversation.quick_answer_id)
            .outerjoin(EscalationTeam, EscalationTeam.id == Conversation.escalation_team_id)
        ).all()
        idea_categories = set(s.exec(select(Idea.category)).all())
    assert len(rows) >= 200
    answered = escalated = 0
    for text, category, answer, team in rows:
        assert category == _first(CATEGORY_BY_WORDS, text), f"{text!r} is filed under {category!r}"
        if answer is not None:
            answered += 1
            assert answer in (_first(ANSWERS_BY_WORDS, text) or set()), f"{text!r} answered with {answer!r}"
        if team is not None:
            escalated += 1
            assert team == TEAM_BY_CATEGORY.get(category, "Product"), f"{text!r} escalated to {team}"
    assert answered >= 50 and escalated >= 3
    # Ideas are filed under the conversations' categories, so a shipped idea's effect can be measured.
    assert idea_categories <= {category for _, category, _, _ in rows}
