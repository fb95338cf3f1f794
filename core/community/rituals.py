"""Rituals and the showcase (paper §4): the onboarding checklist of newcomers and the queue of
those not yet welcomed, hero-of-the-week suggestions from data and the heroes so far, the UGC
showcase with the author's consent and its export for a showcase post, and recurring formats
that become drafts in the content calendar."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from core import exports, formats, records, workspace
from core.community.members import list_members, merge_map
from core.content_plan import posts
from core.errors import ConflictError, ValidationError
from core.i18n import N_, _, using
from core.local_time import local_instant
from core.permissions import Action, Actor, require
from core.records import stored_id
from db.models import (
    Channel,
    ConsentStatus,
    Conversation,
    ConversationKind,
    MemberOnboarding,
    MemberRole,
    PostCreate,
    RitualDraft,
    RitualFormat,
    RitualFormatCreate,
    UgcConsent,
    WeeklyDigestNote,
)

ONBOARDING_STEPS = {"welcomed": N_("Welcomed"), "rules_linked": N_("Rules linked")}
SUGGESTED_FORMATS = (N_("Friday AMA"), N_("Question of the week"), N_("Team briefing"), N_("Challenge"))
CONSENT_LABELS: dict[str, str] = {
    ConsentStatus.asked: N_("asked"),
    ConsentStatus.given: N_("given"),
    ConsentStatus.refused: N_("refused"),
}

# --- onboarding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Newcomer:
    key: str
    display: str
    first_seen: dt.datetime | None
    welcomed: bool
    rules_linked: bool
    first_question_answered: bool | None  # None: has not asked a question yet

    @property
    def done(self) -> bool:
        return self.welcomed and self.rules_linked and self.first_question_answered is not False


def newcomers(session: Session, *, now: dt.datetime) -> tuple[Newcomer, ...]:
    """Every newcomer with their onboarding checklist, those not yet welcomed first."""
    found = list_members(session=session, now=now, role=MemberRole.newcomer)
    ticks = {o.handle_key: o for o in session.scalars(select(MemberOnboarding))}
    firsts: dict[str, bool] = {}
    roots = merge_map(session)
    for key, answered in session.execute(
        select(col(Conversation.author_key), col(Conversation.first_reply_at))
        .where(col(Conversation.kind) == ConversationKind.question)
        .order_by(col(Conversation.received_at))
    ):
        firsts.setdefault(roots.get(key, key), answered is not None)
    result = [
        Newcomer(
            m.key,
            m.display,
            m.first_seen,
            bool(ticks.get(m.key) and ticks[m.key].welcomed_at),
            bool(ticks.get(m.key) and ticks[m.key].rules_linked_at),
            firsts.get(m.key),
        )
        for m in found
    ]
    return tuple(sorted(result, key=lambda n: (n.welcomed, -(n.first_seen.timestamp() if n.first_seen else 0))))


def tick_onboarding(*, session: Session, actor: Actor, handle: str, step: str, now: dt.datetime) -> MemberOnboarding:
    """Tick one step of a newcomer's onboarding (welcomed, rules linked)."""
    require(actor, Action.manage_members)
    if step not in ONBOARDING_STEPS:
        raise ValidationError(
            _("Unknown onboarding step {step!r}; choose {choices}.", step=step, choices=", ".join(ONBOARDING_STEPS))
        )
    key = merge_map(session).get(handle, handle)
    row = session.scalars(select(MemberOnboarding).where(col(MemberOnboarding.handle_key) == key)).first()
    if row is None:
        row = records.create(session, MemberOnboarding(handle_key=key), actor=actor, action="member.onboarding")
    if getattr(row, f"{step}_at") is not None:
        raise ConflictError(_("{step} is ticked already.", step=_(ONBOARDING_STEPS[step])))
    return records.update(
        session, row, {f"{step}_at": now, f"{step}_by_id": actor.id}, actor=actor, action="member.onboarding"
    )


# --- hero of the week ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeroSuggestion:
    key: str
    display: str
    useful: int
    best: int
    contributions: int


def hero_suggestions(
    session: Session, *, start: dt.datetime, end: dt.datetime, limit: int = 5
) -> tuple[HeroSuggestion, ...]:
    """Who stood out between ``start`` and ``end``: most best answers and useful contributions."""
    c = Conversation
    roots = merge_map(session)
    totals: dict[str, list] = {}
    for key, display, useful, best, count in session.execute(
        select(
            col(c.author_key),
            func.max(c.author_handle),
            func.sum(case((col(c.useful), 1), else_=0)),
            func.sum(case((col(c.best), 1), else_=0)),
            func.count(),
        )
        .where(col(c.received_at) >= start, col(c.received_at) < end)
        .group_by(col(c.author_key))
    ):
        entry = totals.setdefault(roots.get(key, key), [display, 0, 0, 0])
        entry[1] += int(useful or 0)
        entry[2] += int(best or 0)
        entry[3] += count
    ranked = sorted(
        (HeroSuggestion(k, d, u, b, n) for k, (d, u, b, n) in totals.items() if u or b),
        key=lambda h: (-(2 * h.best + h.useful), -h.contributions, h.key),
    )
    return tuple(ranked[:limit])


def hero_history(session: Session) -> tuple[tuple[dt.date, str, str], ...]:
    """Every hero of the week so far, newest first: (week, handle, why)."""
    notes = session.scalars(
        select(WeeklyDigestNote)
        .where(col(WeeklyDigestNote.hero_handle) != "")
        .order_by(col(WeeklyDigestNote.week_start).desc())
    )
    return tuple((n.week_start, n.hero_handle, n.hero_reason) for n in notes)


# --- the UGC showcase ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowcaseItem:
    conversation_id: int
    author: str
    channel: str
    received_at: dt.datetime
    text: str
    best: bool
    consent: str | None  # None: not asked yet
    consent_at: dt.datetime | None


def showcase(session: Session, *, since: dt.datetime) -> tuple[ShowcaseItem, ...]:
    """The best contributions since ``since`` (UGC marked useful, best answers) with their consent."""
    channels = {ch.id: ch.name for ch in session.scalars(select(Channel))}
    consents = {u.conversation_id: u for u in session.scalars(select(UgcConsent))}
    rows = session.scalars(
        select(Conversation)
        .where(
            col(Conversation.received_at) >= since,
            ((col(Conversation.kind) == ConversationKind.ugc) & col(Conversation.useful)) | col(Conversation.best),
        )
        .order_by(col(Conversation.best).desc(), col(Conversation.received_at).desc())
    )
    return tuple(
        ShowcaseItem(
            stored_id(c.id),
            c.author_handle,
            channels.get(c.channel_id, ""),
            c.received_at,
            c.text,
            c.best,
            consents[c.id].status if c.id in consents else None,
            consents[c.id].recorded_at if c.id in consents else None,
        )
        for c in rows
    )


def record_consent(*, session: Session, actor: Actor, conversation_id: int, status: str) -> UgcConsent:
    """The author's answer (or that we asked) about reusing their contribution."""
    require(actor, Action.manage_members)
    if status not in set(ConsentStatus):
        raise ValidationError(_("Unknown consent {status!r}; choose asked, given or refused.", status=status))
    records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    row = session.scalars(select(UgcConsent).where(col(UgcConsent.conversation_id) == conversation_id)).first()
    if row is None:
        row = UgcConsent(conversation_id=conversation_id, status=status, recorded_by_id=actor.id)
        return records.create(session, row, actor=actor, action="ugc.consent")
    changes = {"status": status, "recorded_by_id": actor.id, "recorded_at": dt.datetime.now(dt.UTC)}
    return records.update(session, row, changes, actor=actor, action="ugc.consent")


# The showcase file's column codes (a program's headers, as in every export).
SHOWCASE_COLUMNS = ("author", "channel", "received", "text", "best answer")  # i18n: not text


def export_showcase(
    *, session: Session, actor: Actor, since: dt.datetime, dialect: exports.Dialect | str = exports.Dialect.plain
) -> str:
    """The contributions whose authors gave their consent, as CSV for a showcase post (audited)."""
    require(actor, Action.manage_members)
    items = [i for i in showcase(session, since=since) if i.consent == ConsentStatus.given]
    rows = [
        {
            "author": i.author,
            "channel": i.channel,
            "received": i.received_at.date().isoformat(),
            "text": i.text,
            "best answer": "yes" if i.best else "",  # i18n: not text
        }
        for i in items
    ]
    dialect = exports.dialect_of(dialect)
    exports.record_export(
        session, actor=actor, what="ugc_showcase", file_format="csv", rows=len(rows), details={"dialect": dialect.value}
    )
    return exports.to_csv(rows, SHOWCASE_COLUMNS, dialect=dialect)


# --- recurring formats ---------------------------------------------------------------------------

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def rituals(session: Session) -> tuple[RitualFormat, ...]:
    return tuple(
        session.scalars(select(RitualFormat).order_by(col(RitualFormat.weekday), col(RitualFormat.local_time)))
    )


def add_ritual(*, session: Session, actor: Actor, ritual: RitualFormatCreate) -> RitualFormat:
    require(actor, Action.manage_community_rules)
    name = ritual.name.strip()
    if not name or len(name) > 80:
        raise ValidationError(_("Name the format in 1 to 80 characters, e.g. 'Friday AMA'."))
    if not 0 <= ritual.weekday <= 6:
        raise ValidationError(_("Pick the weekday (Monday to Sunday)."))
    if not _TIME.match(ritual.local_time.strip()):
        raise ValidationError(_("Write the time as HH:MM, e.g. 17:00."))
    records.get_or_404(session, Channel, ritual.channel_id, what=_("Channel"))
    if session.scalars(select(RitualFormat).where(col(RitualFormat.name) == name)).first():
        raise ConflictError(_("There is a format called '{name}' already.", name=name))
    row = RitualFormat(
        name=name,
        weekday=ritual.weekday,
        local_time=ritual.local_time.strip(),
        channel_id=ritual.channel_id,
        rubric_id=ritual.rubric_id,
        prompt=ritual.prompt.strip(),
    )
    return records.create(session, row, actor=actor, action="ritual.create")


def draft_rituals(*, session: Session, actor: Actor, today: dt.date, tz: ZoneInfo, weeks: int = 2) -> int:
    """Create the calendar drafts of every active format for the next ``weeks`` weeks (each date
    once); returns how many drafts were created."""
    require(actor, Action.manage_community_rules)
    created = 0
    language = workspace.language(session)  # the drafts are written in the workspace's language
    for ritual in rituals(session):
        if not ritual.active:
            continue
        first = today + dt.timedelta(days=(ritual.weekday - today.weekday()) % 7)
        for week in range(weeks):
            day = first + dt.timedelta(weeks=week)
            done = session.scalars(
                select(RitualDraft).where(col(RitualDraft.ritual_id) == ritual.id, col(RitualDraft.day) == day)
            ).first()
            if done is not None:
                continue
            hour, minute = (int(x) for x in ritual.local_time.split(":"))
            at = local_instant(day, dt.time(hour, minute), tz)
            view = posts.create_post(
                session=session,
                actor=actor,
                post_in=PostCreate(
                    title=_draft_title(ritual.name, day, language),
                    body=ritual.prompt,
                    channel_id=ritual.channel_id,
                    rubric_id=ritual.rubric_id,
                    scheduled_at=at,
                ),
            )
            records.create(
                session,
                RitualDraft(ritual_id=records.stored_id(ritual.id), day=day, post_id=view.id),
                actor=actor,
                action="ritual.draft",
            )
            created += 1
    return created


def _draft_title(name: str, day: dt.date, language: str) -> str:
    """A draft's title in the workspace's language: "Friday AMA · 27 Nov" / "Friday AMA · 27. Nov."."""
    with using(language):
        return _("{name} · {day}", name=name, day=formats.short_date(day))
