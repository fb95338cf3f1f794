"""The demo shows every link of the chain: posts with their link and their dialog, replies kept as
text, escalation teams with RACI people and deadlines, and one call for ideas followed all the way
to the thanks (with the people who answered the call still to be told)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core import demo
from core.demo.chain_showcase import CALL_ANSWERS, CALL_TITLE, SHOWCASE_IDEA
from core.loop import chain, queries
from core.sla.watch import in_watch_window
from db.models import (
    Channel,
    Conversation,
    ConversationMessage,
    EscalationTeam,
    EscalationTeamMember,
    Idea,
    IdeaConversation,
    Post,
    PostStatus,
    Raci,
)

TODAY = dt.date(2026, 3, 18)


@pytest.fixture
def loaded(write, read):
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4)
    return read


def test_published_posts_have_their_link_and_conversations_in_their_watch_window(loaded):
    with loaded() as s:
        published = s.exec(select(Post).where(Post.status == PostStatus.published)).all()
        hours = {c.id: c.watch_window_hours for c in s.exec(select(Channel))}
        on_posts = s.exec(
            select(Conversation, Post).join(Post, col(Post.id) == col(Conversation.post_id)).order_by(Conversation.id)
        ).all()
    assert published and all(p.published_url.startswith("https://") for p in published)
    assert len({p.id for _, p in on_posts}) >= 5, "several posts have a dialog"
    assert len(on_posts) >= 20
    for conversation, post in on_posts:
        assert conversation.channel_id == post.channel_id
        assert in_watch_window(
            published_at=post.published_at,
            window_hours=hours[post.channel_id],
            received_at=conversation.received_at,
        ), (conversation.id, post.id)
        assert conversation.link.startswith(post.published_url)


def test_every_answered_conversation_keeps_its_reply_as_text(loaded):
    with loaded() as s:
        answered = s.exec(
            select(Conversation).where(
                col(Conversation.first_reply_at).is_not(None), col(Conversation.reply_before_message).is_(False)
            )
        ).all()
        replies = {
            m.conversation_id: m
            for m in s.exec(select(ConversationMessage).where(col(ConversationMessage.from_team).is_(True)))
        }
        thanks = s.exec(
            select(func.count()).select_from(ConversationMessage).where(col(ConversationMessage.from_team).is_(False))
        ).one()
    assert len(answered) > 50
    for conversation in answered:
        reply = replies[conversation.id]
        assert reply.text.strip() and reply.sent_at == conversation.first_reply_at
    assert thanks > 0, "some threads carry the person's answer after the reply"


def test_escalation_teams_have_raci_people_and_escalations_go_to_r_with_a_deadline(loaded):
    with loaded() as s:
        teams = s.exec(select(EscalationTeam)).all()
        members = s.exec(select(EscalationTeamMember)).all()
        escalated = s.exec(select(Conversation).where(col(Conversation.escalation_team_id).is_not(None))).all()
    by_team = {
        t.id: {r: {m.user_id for m in members if m.team_id == t.id and m.raci == r} for r in Raci} for t in teams
    }
    for team in teams:
        assert team.owner_id is not None, f"{team.name} has no accountable owner"
        for raci in (Raci.responsible, Raci.consulted, Raci.informed):
            assert by_team[team.id][raci], f"{team.name} has nobody {raci}"
    assert escalated
    for conversation in escalated:
        assert conversation.assignee_id in by_team[conversation.escalation_team_id][Raci.responsible]
        assert conversation.escalation_deadline_at is not None
        assert conversation.escalation_deadline_at > conversation.escalated_at
    open_teams = {
        next(t.name for t in teams if t.id == c.escalation_team_id) for c in escalated if c.resolved_at is None
    }
    assert {"Legal", "Product"} <= open_teams, "the team queues each have an open escalation"


def test_the_call_for_ideas_is_followed_to_the_thanks(loaded):
    with loaded() as s:
        call = s.exec(select(Post).where(Post.title == CALL_TITLE)).one()
        answers = s.exec(select(Conversation).where(Conversation.post_id == call.id)).all()
        idea = s.exec(select(Idea).where(Idea.title == SHOWCASE_IDEA)).one()
        linked = s.exec(select(IdeaConversation.conversation_id).where(IdeaConversation.idea_id == idea.id)).all()
        from_idea = chain.idea_chain(s, idea_id=idea.id)
        assert from_idea.loop_item_id is not None
        from_item = chain.loop_item_chain(s, loop_item_id=from_idea.loop_item_id)
        calls = queries.calls_answered(s, loop_item_id=from_idea.loop_item_id)
    assert len(answers) == len(CALL_ANSWERS) and idea.post_id == call.id
    assert len(linked) == 2 and set(linked) <= {a.id for a in answers}
    for timeline in (from_idea, from_item):
        assert [step.key for step in timeline.steps if not step.done] == []
        times = [step.at for step in timeline.steps]
        assert times == sorted(times), "each step after the one before"
    assert [c.post_id for c in calls] == [call.id]
    assert len(calls[0].respondents) == len(CALL_ANSWERS) - 2, "those who answered the call, not the givers"
