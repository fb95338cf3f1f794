"""The chain KPIs (paper, closing lines: every publication leads to an action, every action to
feedback, all feedback to change), and the ranking of posts by the dialog they created.

* **Idea → shipped** (median days): ideas shipped in the period (not merged away), from the day
  they were logged to the day they shipped.
* **Shipped → announced** (median days): the same ideas that are announced, from shipping to the
  publication of the first announcement of a loop item answering them.
* **Announced within 14 days**: of the ideas shipped in the period, announced within 14 days ÷
  (announced within 14 days + not announced within 14 days once those 14 days are over). An idea
  shipped less than 14 days before ``now`` and not announced yet is in neither, as an open
  conversation not yet due is in neither side of the SLA share.
* **Givers thanked**: over loop items shipped in the period, givers ticked as thanked ÷ givers
  (each loop item's deduplicated givers, ideas merged into its ideas included).
* **Posts answered within SLA**: of the posts published in the period whose dialog has a decided
  question or complaint (met or breached at ``now``), the share where every one was met and none
  is still open. A post whose questions are all still open and not due, or that got no question,
  is in neither.

Medians are plain medians (the mean of the two middle values for an even count: the same as the
linear interpolation the response times use). Days are real elapsed days (24 h).
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from core import workspace
from core.i18n import _, ngettext
from core.kpis.content import published_scope
from core.kpis.conversations import needs_reply_condition, sla_conditions, sla_counted
from core.kpis.periods import Period
from core.kpis.product import idea_scope, loop_scope
from core.kpis.sql import bucket_index, count_if, in_range, period_bounds, ratio
from core.kpis.values import Measured
from core.loop.queries import giver_keys_of_items
from db.models import Conversation, Idea, IdeaConversation, LoopItem, LoopItemIdea, Post

ANNOUNCE_WITHIN = dt.timedelta(days=14)
DAY = dt.timedelta(days=1)


def days_between(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start) / DAY


def announced_within(
    shipped_at: dt.datetime,
    announced_at: dt.datetime | None,
    *,
    now: dt.datetime,
    within: dt.timedelta = ANNOUNCE_WITHIN,
) -> bool | None:
    """Announced within ``within`` of shipping: True / False, or None while that time is not over."""
    if announced_at is not None and announced_at - shipped_at <= within:
        return True
    if now - shipped_at >= within:
        return False
    return None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _shipped_ideas(
    session: Session, bounds: list[dt.datetime], channel_id: int | None
) -> list[list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]]:
    """(logged, shipped, first announced) of the ideas shipped in each period between ``bounds``: one statement."""
    announced = (
        select(func.min(LoopItem.announced_at))
        .join(LoopItemIdea, col(LoopItemIdea.loop_item_id) == col(LoopItem.id))
        .where(col(LoopItemIdea.idea_id) == col(Idea.id))
        .scalar_subquery()
    )
    rows = session.execute(
        select(col(Idea.created_at), col(Idea.shipped_at), announced).where(
            in_range(col(Idea.shipped_at), bounds[0], bounds[-1]), *idea_scope(channel_id)
        )
    ).all()
    out: list[list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]] = [[] for __ in bounds[1:]]
    for created, shipped, announced_at in rows:
        if shipped is not None:
            out[bisect.bisect_right(bounds, shipped) - 1].append((created, shipped, announced_at))
    return out


def _idea_kpis(
    ideas: list[tuple[dt.datetime, dt.datetime, dt.datetime | None]], now: dt.datetime
) -> dict[str, Measured]:
    to_ship = [days_between(created, shipped) for created, shipped, __ in ideas]
    to_announce = [days_between(shipped, announced) for __, shipped, announced in ideas if announced is not None]
    verdicts = [announced_within(shipped, announced, now=now) for __, shipped, announced in ideas]
    within, late = verdicts.count(True), verdicts.count(False)
    not_announced = sum(1 for *__, announced in ideas if announced is None)
    return {
        "idea_to_shipped_days": Measured(
            median(to_ship), ngettext("{count} idea shipped", "{count} ideas shipped", len(ideas)) if ideas else ""
        ),
        "shipped_to_announced_days": Measured(
            median(to_announce),
            _list(
                _("{announced} of {shipped} announced", announced=len(to_announce), shipped=len(ideas))
                if ideas
                else "",
                _("{count} still to announce", count=not_announced) if not_announced else "",
            ),
        ),
        "announced_within_14_days": Measured(
            ratio(within, within + late, 100),
            _list(
                _("{within} within 14 days, {late} later or not yet", within=within, late=late)
                if within + late
                else "",
                _("{count} shipped less than 14 days ago", count=verdicts.count(None)) if verdicts.count(None) else "",
            ),
        ),
    }


def _givers_thanked(session: Session, periods: Sequence[Period], channel_id: int | None) -> list[Measured]:
    """Givers thanked over the loop items shipped in each period: the items of every period and
    their givers read together."""
    items = session.execute(
        select(col(LoopItem.id), col(LoopItem.shipped_on)).where(
            col(LoopItem.shipped_on) >= periods[0].start,
            col(LoopItem.shipped_on) <= periods[-1].end,
            *loop_scope(channel_id),
        )
    ).all()
    keys = giver_keys_of_items(session, [item_id for item_id, __ in items])
    out = []
    for period in periods:
        people = [keys[item_id] for item_id, shipped_on in items if period.start <= shipped_on <= period.end]
        givers = sum(len(p.givers) for p in people)
        thanked = sum(len(p.thanked) for p in people)
        out.append(
            Measured(
                ratio(thanked, givers, 100),
                _("{thanked} of {givers} givers thanked", thanked=thanked, givers=givers) if givers else "",
            )
        )
    return out


def _posts_answered(
    session: Session, bounds: list[dt.datetime], channel_id: int | None, now: dt.datetime
) -> list[Measured]:
    """Posts answered within the SLA of each period between ``bounds``: one statement, grouped by post."""
    met, breached = sla_conditions(now)
    c = Conversation
    not_due = and_(sla_counted(), col(c.first_reply_at).is_(None), col(c.deadline_at) > now)
    index = bucket_index(col(Post.published_at), bounds)
    rows = session.execute(
        select(index, count_if(met), count_if(breached), count_if(not_due))
        .join(Post, col(Post.id) == col(c.post_id))
        .where(*published_scope(bounds[0], bounds[-1], channel_id))
        .group_by(col(c.post_id), index)
    ).all()
    tallies = [[0, 0, 0] for __ in bounds[1:]]
    for bucket, met_count, breached_count, open_count in rows:
        tally = tallies[int(bucket)]
        if breached_count:
            tally[1] += 1
        elif met_count and not open_count:
            tally[0] += 1
        elif met_count or open_count:
            tally[2] += 1
    out = []
    for answered, failed, undecided in tallies:
        detail = _list(
            _("{answered} of {total} posts with questions", answered=answered, total=answered + failed)
            if answered + failed
            else "",
            _("{count} still being answered", count=undecided) if undecided else "",
        )
        out.append(Measured(ratio(answered, answered + failed, 100), detail))
    return out


def _list(*parts: str) -> str:
    """The parts of a detail line that apply, one after the other."""
    return "; ".join(part for part in parts if part)


def measure(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime
) -> list[dict[str, Measured]]:
    """The chain KPIs of consecutive periods, oldest first (``now`` decides what is overdue or not
    yet due): each figure read for every period in the same statements."""
    bounds = period_bounds(periods, tz)
    return [
        _idea_kpis(ideas, now) | {"givers_thanked_share": thanked, "posts_answered_within_sla": answered}
        for ideas, thanked, answered in zip(
            _shipped_ideas(session, bounds, channel_id),
            _givers_thanked(session, periods, channel_id),
            _posts_answered(session, bounds, channel_id, now),
            strict=True,
        )
    ]


# --- posts ranked by the dialog they created ------------------------------------------------------


@dataclass(frozen=True)
class PostDialogRank:
    post_id: int
    title: str
    channel_id: int
    published_at: dt.datetime
    conversations: int
    needing_reply: int
    answered: int
    met: int
    ideas: int
    impressions: int | None
    next_step_conversions: int | None


def posts_by_dialog(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    channel_id: int | None = None,
    limit: int = 20,
) -> list[PostDialogRank]:
    """The posts published in the period with the most conversations first (then reach), with
    how many were answered and within the SLA, and how many ideas came from them."""
    lo, hi = Period(start, end).utc_bounds(workspace.timezone(session))
    c = Conversation
    needing = needs_reply_condition()
    # Met does not depend on the moment (a first reply at or before the deadline).
    met = and_(sla_counted(), col(c.first_reply_at).is_not(None), col(c.first_reply_at) <= col(c.deadline_at))
    per_post = (
        select(
            col(c.post_id).label("post_id"),
            func.count().label("conversations"),
            count_if(needing).label("needing_reply"),
            count_if(and_(needing, col(c.first_reply_at).is_not(None))).label("answered"),
            count_if(met).label("met"),
        )
        .join(Post, col(Post.id) == col(c.post_id))
        .where(*published_scope(lo, hi, channel_id))  # only the period's posts, not every post's dialog
        .group_by(col(c.post_id))
        .subquery()
    )
    # Ideas that name the post, plus ideas from its conversations that name another post or none.
    direct = select(func.count()).select_from(Idea).where(col(Idea.post_id) == col(Post.id)).scalar_subquery()
    linked, asked = aliased(Idea), aliased(Conversation)
    via = (
        select(func.count(func.distinct(col(IdeaConversation.idea_id))))
        .join(asked, col(asked.id) == col(IdeaConversation.conversation_id))
        .join(linked, col(linked.id) == col(IdeaConversation.idea_id))
        .where(
            col(asked.post_id) == col(Post.id), or_(col(linked.post_id).is_(None), col(linked.post_id) != col(Post.id))
        )
        .scalar_subquery()
    )
    ideas = direct + via
    conversations = func.coalesce(per_post.c.conversations, 0)
    rows = session.execute(
        select(
            col(Post.id),
            col(Post.title),
            col(Post.channel_id),
            col(Post.published_at),
            conversations,
            func.coalesce(per_post.c.needing_reply, 0),
            func.coalesce(per_post.c.answered, 0),
            func.coalesce(per_post.c.met, 0),
            ideas,
            col(Post.impressions),
            col(Post.next_step_conversions),
        )
        .outerjoin(per_post, per_post.c.post_id == col(Post.id))
        .where(*published_scope(lo, hi, channel_id))
        .order_by(conversations.desc(), col(Post.impressions).desc().nulls_last(), col(Post.id))
        .limit(limit)
    ).all()
    return [PostDialogRank(*row) for row in rows]
