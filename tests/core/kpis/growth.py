"""Data shaped like the demo's, several times over: what the statement counts are checked on (no
statement per row, per item or per period)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from core import workspace
from core.handles import handle_key
from core.kpis.periods import Period
from db.models import (
    Channel,
    Conversation,
    EscalationTeam,
    Idea,
    IdeaGiver,
    LoopItem,
    LoopItemIdea,
    LoopThanks,
    ModerationAction,
    ModerationFlag,
    Post,
)


def grow_like_the_demo(session: Session, periods: list[Period], *, per_day: int) -> None:
    """Several times the demo's data on every day of ``periods``, shaped like it: questions and
    complaints answered early or late, escalations, UGC, posts with metrics, ideas with givers that
    are shipped and announced, loop items with thanks and impact categories, flags and actions."""
    tz = workspace.timezone(session)
    channels = session.exec(select(Channel).order_by(col(Channel.id))).all()
    team = session.exec(select(EscalationTeam).order_by(col(EscalationTeam.id))).first()
    assert channels and team is not None, "the demo has channels and escalation teams"
    days = [p.start + dt.timedelta(days=n) for p in periods for n in range(p.days)]
    for d, day in enumerate(days):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=tz).astimezone(dt.UTC)
        channel = channels[d % len(channels)]
        post = Post(
            title=f"Extra post {day.isoformat()}",
            channel_id=channel.id,
            status="published",
            published_at=noon - dt.timedelta(hours=3),
            next_step_type="comment_prompt" if d % 2 else "",
            impressions=1000 + d,
            reactions=40 + d % 9,
            saves=d % 7,
            guide_clicks=d % 5,
            next_step_conversions=d % 11,
        )
        session.add(post)
        session.flush()
        for n in range(per_day):
            received = noon + dt.timedelta(minutes=7 * n)
            handle = f"@Extra Person {d}-{n}"
            kind = ("question", "complaint", "ugc", "praise")[n % 4]
            replied = kind in ("question", "complaint") and n % 5 != 4
            minutes = float(15 + 37 * ((d + n) % 13))
            conversation = Conversation(
                channel_id=channel.id,
                author_handle=handle,
                author_key=handle_key(handle),
                received_at=received,
                kind=kind,
                category=("billing", "app", "delivery")[n % 3],
                status="resolved" if n % 3 else "open",
                resolved_at=received + dt.timedelta(hours=5) if n % 3 else None,
                first_reply_at=received + dt.timedelta(minutes=minutes) if replied else None,
                business_minutes_to_reply=minutes if replied else None,
                calendar_minutes_to_reply=minutes * 1.5 if replied else None,
                deadline_at=received + dt.timedelta(hours=2),
                useful=kind == "ugc" and n % 2 == 0,
                post_id=post.id if n % 2 else None,
                escalation_team_id=team.id if n % 6 == 1 else None,
                escalated_at=received + dt.timedelta(minutes=30) if n % 6 == 1 else None,
                escalation_deadline_at=received + dt.timedelta(hours=8) if n % 6 == 1 else None,
            )
            session.add(conversation)
            session.flush()
            assert conversation.id is not None
            if n % 4 == 3:
                session.add(
                    ModerationFlag(
                        conversation_id=conversation.id,
                        category="toxic",
                        severity="medium",
                        flagged_at=received + dt.timedelta(minutes=5),
                        closed_at=received + dt.timedelta(hours=n % 9 + 1) if n % 8 != 7 else None,
                    )
                )
                session.add(
                    ModerationAction(
                        conversation_id=conversation.id,
                        kind="warned" if n % 8 == 3 else "slow_mode",
                        member_key=conversation.author_key,
                        rule="Be kind",
                        acted_at=received + dt.timedelta(hours=1),
                    )
                )
        ideas = []
        for n in range(max(1, per_day // 4)):
            idea = Idea(
                title=f"Extra idea {day.isoformat()} {n}",
                channel_id=channel.id,
                status="shipped",
                created_at=noon - dt.timedelta(days=5 + (7 * n + 3 * d) % 40),
                valid_at=noon - dt.timedelta(days=10),
                shipped_at=noon,
                category="app",
            )
            session.add(idea)
            session.flush()
            assert idea.id is not None
            ideas.append(idea)
            for g in range(3):
                giver = f"@Extra Person {(d + g * 31) % 97}"
                session.add(
                    IdeaGiver(
                        idea_id=idea.id,
                        handle=giver,
                        handle_key=handle_key(giver),
                        given_at=noon - dt.timedelta(days=g),
                    )
                )
        item = LoopItem(
            what_changed=f"Extra change {day.isoformat()}",
            shipped_on=day,
            announced_at=noon + dt.timedelta(days=d % 20),
            impact_categories="app,billing" if d % 2 else "",
        )
        session.add(item)
        session.flush()
        assert item.id is not None
        for idea in ideas:
            session.add(LoopItemIdea(loop_item_id=item.id, idea_id=idea.id))
        giver = f"@Extra Person {d % 97}"
        session.add(LoopThanks(loop_item_id=item.id, handle=giver, handle_key=handle_key(giver)))
    session.flush()
