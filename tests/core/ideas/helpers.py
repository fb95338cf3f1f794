"""Steps the idea board's tests share: log an idea, read it back, walk it along the flow, and
snapshot every giver and vote row (the exact state a merge must restore)."""

from __future__ import annotations

from sqlmodel import select

from core.ideas.capture import log_idea
from core.ideas.queries import IdeaView, get_idea
from core.ideas.triage import set_scores, set_status
from db.models import IdeaCreate, IdeaGiver, Vote


def log(write, actor, title="Dark mode for the app", handles="@ann, @bo", **fields) -> int:
    with write() as s:
        return log_idea(session=s, actor=actor, idea_in=IdeaCreate(title=title, handles=handles, **fields)).id


def get(read, idea_id) -> IdeaView:
    with read() as s:
        return get_idea(session=s, idea_id=idea_id)


def giver_and_vote_rows(read):
    """Every giver and vote row as (idea, who, origin): the exact state a merge must restore."""
    with read() as s:
        givers = sorted((g.idea_id, g.handle, g.origin_idea_id) for g in s.exec(select(IdeaGiver)))
        votes = sorted((v.idea_id, v.user_id, v.origin_idea_id) for v in s.exec(select(Vote)))
    return givers, votes


def walk(write, actor, idea_id, *statuses, reason=""):
    for status in statuses:
        with write() as s:
            version = get_idea(session=s, idea_id=idea_id).version
            set_status(session=s, actor=actor, idea_id=idea_id, status=status, expected_version=version, reason=reason)


def valid_quick_win(write, lead, title) -> int:
    """A valid idea scored impact 5, cost 1."""
    idea_id = log(write, lead, title=title)
    walk(write, lead, idea_id, "valid")
    with write() as s:
        set_scores(session=s, actor=lead, idea_id=idea_id, impact=5, cost=1, expected_version=2)
    return idea_id
