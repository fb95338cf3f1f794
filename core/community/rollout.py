"""The 60-day rollout (paper §12) as the workspace's onboarding: the plan's steps with their days
from the workspace's start, each ticked from real data where it can be, by hand otherwise (with
who and when).

Evidence counts from the rollout's start only (the local midnight of the workspace's first day):
a team that had published a retro a year ago has not done the rollout's retro. The quick-answer
library and the SLA policies carry no dates; what counts for them is that they are in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlmodel import Session, col

from core import records
from core.errors import ConflictError, NotFoundError, ValidationError
from core.i18n import N_, _, ngettext
from core.local_time import local_day, local_midnight
from core.permissions import Action, Actor, require
from core.workspace import info, timezone
from db.models import (
    Channel,
    CommunityRules,
    Conversation,
    ConversationKind,
    Idea,
    IdeaSource,
    LoopItem,
    LoopStatus,
    Post,
    PostStatus,
    QuickAnswer,
    RolloutTick,
    Rubric,
    SlaPolicy,
    User,
    WeeklyDigestNote,
)
from db.types import Unindexed

QUICK_ANSWERS_NEEDED = 10
STARTED_RUBRICS = ("Myth vs fact", "How it works", "Question of the week")  # i18n: not text
RETRO_RUBRIC = "Open retro"  # i18n: not text
HERO_WEEKS = 4  # a ritual, not a one-off: heroes of the week chosen in this many weeks


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    first_day: int  # days from the workspace's start (day 1 = the start)
    last_day: int
    auto: str  # what ticks it automatically ("" = by hand only)


STEPS: tuple[Step, ...] = (
    Step(
        "channel_audit",
        N_("Audit of the answer channels"),
        1,
        7,
        N_("a conversation recorded on every active channel"),
    ),
    Step(
        "tone_and_rules",
        N_("Tone of voice and community rules updated"),
        1,
        14,
        N_("community rules published"),
    ),
    Step("quick_answers", N_("Quick-answer library"), 8, 21, N_("at least {count} quick answers")),
    Step(
        "sla_dashboards",
        N_("SLA and dashboards in place"),
        8,
        21,
        N_("an active SLA policy and a week of conversations"),
    ),
    Step(
        "rubrics",
        N_("Rubrics 'myth/fact', 'how it works', 'question of the week' started"),
        15,
        30,
        N_("a published post in each of the three rubrics"),
    ),
    Step("idea_form", N_("First 'idea for the product' form"), 22, 30, N_("an idea that came in through a form")),
    Step(
        "first_retro",
        N_("First public retro and 'You asked, we did'"),
        31,
        45,
        N_("a published Open retro post and an announced loop item"),
    ),
    Step(
        "ugc_hero",
        N_("UGC showcase and hero of the week"),
        31,
        45,
        N_("heroes of the week chosen in {weeks} weeks and UGC marked useful"),
    ),
    Step("plan_adjusted", N_("Content plan adjusted to feedback and metrics"), 46, 60, ""),
)


def auto_text(step: Step) -> str:
    """What ticks ``step`` automatically, in the current language ("" = by hand only)."""
    if not step.auto:
        return ""
    return _(step.auto, count=QUICK_ANSWERS_NEEDED, weeks=HERO_WEEKS)


STEP_BY_KEY = {s.key: s for s in STEPS}


def _count(session: Session, statement) -> int:
    return int(session.execute(statement).scalar_one() or 0)


def _published_in(session: Session, rubric: str, since: dt.datetime) -> bool:
    """Whether a post of the rubric (by name, any case) was published since: the rubric's posts
    are looked at through their rubric, and the look stops at the first one."""
    rubric_ids = select(col(Rubric.id)).where(func.lower(Rubric.name) == rubric.lower()).scalar_subquery()
    published = exists().where(
        col(Post.rubric_id).in_(rubric_ids),
        Unindexed(Post.status) == PostStatus.published,
        col(Post.published_at) >= since,
    )
    return bool(session.execute(select(published)).scalar())


def _channel_audit(session: Session, since: dt.datetime) -> str | None:
    active = {c.id for c in session.scalars(select(Channel).where(col(Channel.active)))}
    # Per active channel, whether anything came in since: each look stops at its first conversation
    # in the time range (a DISTINCT over the range read every conversation since, at year scale all).
    heard = set(
        session.scalars(
            select(col(Channel.id)).where(
                col(Channel.active),
                exists().where(
                    Unindexed(Conversation.channel_id) == Channel.id, col(Conversation.received_at) >= since
                ),
            )
        )
    )
    if not active or not active <= heard:
        return None
    return ngettext(
        "conversations on the {count} active channel", "conversations on all {count} active channels", len(active)
    )


def _tone_and_rules(session: Session, since: dt.datetime) -> str | None:
    number = session.execute(
        select(func.max(CommunityRules.number)).where(col(CommunityRules.published_at) >= since)
    ).scalar_one_or_none()
    return _("community rules version {number} published", number=number) if number else None


def _quick_answers(session: Session, since: dt.datetime) -> str | None:  # the library keeps no dates
    n = _count(session, select(func.count()).select_from(QuickAnswer))
    return ngettext("{count} quick answer", "{count} quick answers", n) if n >= QUICK_ANSWERS_NEEDED else None


def _sla_dashboards(session: Session, since: dt.datetime) -> str | None:
    policies = _count(session, select(func.count()).select_from(SlaPolicy).where(col(SlaPolicy.active)))
    first, last = session.execute(
        select(func.min(Conversation.received_at), func.max(Conversation.received_at)).where(
            col(Conversation.received_at) >= since
        )
    ).one()
    if not policies or first is None or (last - first) < dt.timedelta(days=7):
        return None
    return ngettext(
        "{count} active SLA policy, conversations over {days} days",
        "{count} active SLA policies, conversations over {days} days",
        policies,
        days=(last - first).days,
    )


def _rubrics(session: Session, since: dt.datetime) -> str | None:
    started = all(_published_in(session, r, since) for r in STARTED_RUBRICS)
    return _("published posts in all three rubrics") if started else None


def _idea_form(session: Session, since: dt.datetime) -> str | None:
    n = _count(
        session,
        select(func.count())
        .select_from(Idea)
        .where(col(Idea.source) == IdeaSource.form, col(Idea.created_at) >= since),
    )
    return ngettext("{count} idea from a form", "{count} ideas from a form", n) if n else None


def _first_retro(session: Session, since: dt.datetime) -> str | None:
    announced = _count(
        session,
        select(func.count())
        .select_from(LoopItem)
        .where(col(LoopItem.status) != LoopStatus.shipped, col(LoopItem.announced_at) >= since),
    )
    return (
        _("an Open retro post published and a loop item announced")
        if announced and _published_in(session, RETRO_RUBRIC, since)
        else None
    )


def _ugc_hero(session: Session, since: dt.datetime) -> str | None:
    heroes = _count(
        session,
        select(func.count())
        .select_from(WeeklyDigestNote)
        .where(
            col(WeeklyDigestNote.hero_handle) != "",
            col(WeeklyDigestNote.week_start) >= local_day(since, timezone(session)),
        ),
    )
    useful = _count(
        session,
        select(func.count())
        .select_from(Conversation)
        .where(
            col(Conversation.kind) == ConversationKind.ugc,
            col(Conversation.useful),
            col(Conversation.received_at) >= since,
        ),
    )
    if heroes < HERO_WEEKS or not useful:
        return None
    return _("heroes of the week in {weeks} weeks, {useful} useful UGC", weeks=heroes, useful=useful)


_CHECKS: dict[str, Callable[[Session, dt.datetime], str | None]] = {
    "channel_audit": _channel_audit,
    "tone_and_rules": _tone_and_rules,
    "quick_answers": _quick_answers,
    "sla_dashboards": _sla_dashboards,
    "rubrics": _rubrics,
    "idea_form": _idea_form,
    "first_retro": _first_retro,
    "ugc_hero": _ugc_hero,
}


@dataclass(frozen=True)
class StepState:
    step: Step
    starts_on: dt.date
    due_on: dt.date
    evidence: str | None  # what ticked it automatically
    ticked_by: str | None  # who ticked it by hand
    ticked_at: dt.datetime | None

    @property
    def done(self) -> bool:
        return self.evidence is not None or self.ticked_by is not None

    def overdue(self, today: dt.date) -> bool:
        return not self.done and today > self.due_on


@dataclass(frozen=True)
class Rollout:
    started_on: dt.date
    steps: tuple[StepState, ...]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def finished(self) -> bool:
        return self.done == len(self.steps)


def rollout_plan(session: Session) -> Rollout:
    """Every step with its dates from the workspace's start and how it was ticked."""
    ws = info(session)
    tz = ZoneInfo(ws.timezone)
    start = local_day(ws.created_at or dt.datetime.now(dt.UTC), tz)
    since = local_midnight(start, tz)  # evidence from before the rollout does not tick a step
    names = {u.id: (u.name or u.username) for u in session.scalars(select(User))}
    ticks = {t.step: t for t in session.scalars(select(RolloutTick))}
    states = []
    for step in STEPS:
        check = _CHECKS.get(step.key)
        tick = ticks.get(step.key)
        states.append(
            StepState(
                step,
                start + dt.timedelta(days=step.first_day - 1),
                start + dt.timedelta(days=step.last_day - 1),
                check(session, since) if check else None,
                names.get(tick.ticked_by_id, _("Command line")) if tick else None,
                tick.ticked_at if tick else None,
            )
        )
    return Rollout(start, tuple(states))


def tick_step(*, session: Session, actor: Actor, step: str) -> RolloutTick:
    """Tick a step by hand (for the steps no data can show, or done another way)."""
    require(actor, Action.tick_rollout)
    if step not in STEP_BY_KEY:
        raise ValidationError(_("Unknown rollout step {step!r}.", step=step))
    if session.scalars(select(RolloutTick).where(col(RolloutTick.step) == step)).first():
        raise ConflictError(_("'{step}' is ticked already.", step=_(STEP_BY_KEY[step].label)))
    return records.create(session, RolloutTick(step=step, ticked_by_id=actor.id), actor=actor, action="rollout.tick")


def untick_step(*, session: Session, actor: Actor, step: str) -> None:
    require(actor, Action.tick_rollout)
    tick = session.scalars(select(RolloutTick).where(col(RolloutTick.step) == step)).first()
    if tick is None:
        raise NotFoundError(_("This step was not ticked by hand."))
    records.delete(session, tick, actor=actor, action="rollout.untick")
