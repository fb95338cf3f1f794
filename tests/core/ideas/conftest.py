"""The idea board's shared fixture: a small board of four ideas."""

from __future__ import annotations

import datetime as dt

import pytest

from core.ideas.capture import log_idea, vote
from core.ideas.triage import set_scores
from db.models import Idea, IdeaCreate, Role
from tests.core.ideas.helpers import walk
from tests.factories import make_channel


@pytest.fixture
def board(write, team):
    """Four ideas with different demand, votes, scores, sources and channels."""
    lead = team[Role.lead]
    with write() as s:
        insta, tele = make_channel(s, name="Insta"), make_channel(s, name="Tele")
        ideas = {
            "dark": IdeaCreate(title="Dark mode", handles="@a, @b, @c", source="comment", channel_id=insta.id),
            "export": IdeaCreate(
                title="Export to Excel",
                description="CSV is not enough",
                handles="@a",
                source="survey",
                channel_id=tele.id,
            ),
            "passkey": IdeaCreate(title="Passkey sign-in", handles="@a, @b", source="dm", channel_id=insta.id),
            "font": IdeaCreate(title="Bigger font", source="team"),
        }
        ids = {k: log_idea(session=s, actor=lead, idea_in=idea_in).id for k, idea_in in ideas.items()}
        for n, key in enumerate(("dark", "export", "passkey", "font")):
            s.get(Idea, ids[key]).created_at = dt.datetime(2025, 1, 1 + n, tzinfo=dt.UTC)
        for role in (Role.editor, Role.support, Role.community):
            vote(session=s, actor=team[role], idea_id=ids["export"])
        vote(session=s, actor=team[Role.editor], idea_id=ids["passkey"])
    walk(write, lead, ids["export"], "valid")
    walk(write, lead, ids["passkey"], "valid")
    with write() as s:
        set_scores(session=s, actor=lead, idea_id=ids["export"], impact=5, cost=1, expected_version=2)
        set_scores(session=s, actor=lead, idea_id=ids["passkey"], impact=3, cost=4, expected_version=2)
    return ids
