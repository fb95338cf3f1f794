"""The weekly digest (paper §7 "aftertaste", §11 "Digest of the week").

For one week (Monday–Sunday in the workspace time zone): the best questions and answers (marked
best first, then by engagement; the answer is the team's first reply as it was sent, or the quick
answer used when the reply's text was not kept), the hero of the week (chosen by the community manager, with
suggestions from the most useful UGC and best conversations), the loop items closed ("You asked,
we did" announced that week) and shipped, and the next topic. Rendered as Markdown with every
piece of user text escaped, so the preview cannot turn into links, images or HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, true
from sqlmodel import Session, col, select

from core import exports, formats, i18n, records, text_templates, workspace
from core.content_plan import posts
from core.content_plan.templates import template_defaults
from core.content_plan.validation import post_create
from core.errors import ValidationError
from core.i18n import N_, _
from core.kpis.periods import Period, PeriodKind, period_containing
from core.local_time import local_day
from core.permissions import Action, Actor, require
from core.sla.threads import first_team_replies
from core.text import check_input_text, escape_markdown
from db.models import (
    Channel,
    Conversation,
    ConversationKind,
    LoopItem,
    Post,
    PostStatus,
    QuickAnswer,
    WeeklyDigestNote,
    WeeklyDigestNoteSave,
    max_length,
)

BEST_LIMIT = 5
HERO_SUGGESTIONS = 5
DIGEST_TEMPLATE = "digest_of_the_week"  # the calendar's template: rubric "Digest of the week"


@dataclass(frozen=True)
class DigestConversation:
    id: int
    text: str
    author_handle: str
    channel: str
    engagement: int
    best: bool
    answer_title: str
    answer_text: str
    answer_link: str
    reply_text: str = ""  # the team's first reply as it was sent (the thread), when kept


@dataclass(frozen=True)
class HeroSuggestion:
    handle: str
    useful_ugc: int
    best: int
    engagement: int


@dataclass(frozen=True)
class DigestLoopItem:
    id: int
    what_changed: str
    shipped_on: dt.date
    announced_on: dt.date | None


@dataclass(frozen=True)
class DigestNote:
    week_start: dt.date
    hero_handle: str
    hero_reason: str
    next_topic: str
    version: int | None  # None: nothing chosen for this week yet


@dataclass(frozen=True)
class UpcomingPost:
    title: str
    day: dt.date


@dataclass(frozen=True)
class WeeklyDigest:
    week: Period
    best: tuple[DigestConversation, ...]
    hero_suggestions: tuple[HeroSuggestion, ...]
    note: DigestNote
    loop_closed: tuple[DigestLoopItem, ...]
    shipped: tuple[DigestLoopItem, ...]
    upcoming: UpcomingPost | None
    # Generated in the workspace's language, in the lead's wording of it (core.text_templates).
    language: str = i18n.SOURCE_LANGUAGE
    templates: Mapping[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        with i18n.using(self.language):
            return text_templates.fill(
                self.templates, "digest_title", week_start=_day(self.week.start), week_end=_day(self.week.end)
            )

    @property
    def next_topic(self) -> str:
        if self.note.next_topic:
            return self.note.next_topic
        return self.upcoming.title if self.upcoming else ""

    @property
    def filename(self) -> str:
        return f"digest-{self.week.start.isoformat()}.md"


def _week(week_start: dt.date) -> Period:
    if week_start.weekday() != 0:
        raise ValidationError(
            _(
                "A digest week starts on a Monday; {day} is a {weekday}.",
                day=formats.date(week_start),
                weekday=formats.weekday_name(week_start),
            )
        )
    return period_containing(PeriodKind.week, week_start)


def weekly_digest(session: Session, *, week_start: dt.date) -> WeeklyDigest:
    """Everything the digest of the week starting ``week_start`` (a Monday) shows."""
    week = _week(week_start)
    tz = workspace.timezone(session)
    lo, hi = week.utc_bounds(tz)
    return WeeklyDigest(
        week=week,
        best=tuple(_best(session, lo, hi)),
        hero_suggestions=tuple(hero_suggestions(session, week_start=week.start)),
        note=digest_note(session, week_start=week.start),
        loop_closed=tuple(_loop_closed(session, lo, hi, tz)),
        shipped=tuple(_shipped(session, week, tz)),
        upcoming=_upcoming(session, hi, tz),
        language=(language := workspace.language(session)),
        templates=text_templates.wordings(session, language=language),
    )


def _best(session: Session, lo: dt.datetime, hi: dt.datetime) -> list[DigestConversation]:
    c = Conversation
    rows = session.exec(
        select(c, Channel.name, QuickAnswer)
        .join(Channel, col(Channel.id) == c.channel_id)
        .outerjoin(QuickAnswer, col(QuickAnswer.id) == c.quick_answer_id)
        .where(
            col(c.received_at) >= lo,
            col(c.received_at) < hi,
            col(c.first_reply_at).is_not(None),
            col(c.reply_before_message) == False,  # noqa: E712
            or_(col(c.kind) == ConversationKind.question.value, col(c.best) == true()),
        )
        .order_by(col(c.best).desc(), col(c.engagement).desc(), col(c.received_at), col(c.id))
        .limit(BEST_LIMIT)
    ).all()
    replies = first_team_replies(session, [conv.id for conv, __, ___ in rows if conv.id is not None])
    return [
        DigestConversation(
            conv.id,
            conv.text,
            conv.author_handle,
            channel,
            conv.engagement,
            bool(conv.best),
            answer.title if answer else "",
            answer.text if answer else "",
            answer.link if answer else "",
            replies.get(conv.id, ""),
        )
        for conv, channel, answer in rows
        if conv.id is not None
    ]


def hero_suggestions(session: Session, *, week_start: dt.date, limit: int = HERO_SUGGESTIONS) -> list[HeroSuggestion]:
    """People with the most useful UGC and best conversations of the week (then engagement)."""
    week = _week(week_start)
    lo, hi = week.utc_bounds(workspace.timezone(session))
    c = Conversation
    useful_ugc = and_(col(c.kind) == ConversationKind.ugc.value, col(c.useful) == true())
    useful = func.sum(case((useful_ugc, 1), else_=0))
    best = func.sum(case((col(c.best) == true(), 1), else_=0))
    engagement = func.sum(c.engagement)
    # One person however they spelt their handle this week (counted by key, shown as first written).
    rows = session.exec(
        select(func.min(col(c.author_handle)), useful, best, engagement)
        .where(col(c.received_at) >= lo, col(c.received_at) < hi, or_(useful_ugc, col(c.best) == true()))
        .group_by(col(c.author_key))
        .order_by((useful + best).desc(), engagement.desc(), col(c.author_key))
        .limit(limit)
    ).all()
    return [HeroSuggestion(handle, int(u or 0), int(b or 0), int(e or 0)) for handle, u, b, e in rows]


def _loop_item(item: LoopItem, tz: ZoneInfo) -> DigestLoopItem:
    assert item.id is not None, "a stored loop item"
    announced_on = local_day(item.announced_at, tz) if item.announced_at else None
    return DigestLoopItem(item.id, item.what_changed, item.shipped_on, announced_on)


def _loop_closed(session: Session, lo: dt.datetime, hi: dt.datetime, tz: ZoneInfo) -> list[DigestLoopItem]:
    rows = session.exec(
        select(LoopItem)
        .where(col(LoopItem.announced_at) >= lo, col(LoopItem.announced_at) < hi)
        .order_by(col(LoopItem.announced_at), col(LoopItem.id))
    ).all()
    return [_loop_item(item, tz) for item in rows]


def _shipped(session: Session, week: Period, tz: ZoneInfo) -> list[DigestLoopItem]:
    """Shipped this week and not announced yet (the announced ones are listed as closed)."""
    rows = session.exec(
        select(LoopItem)
        .where(
            col(LoopItem.shipped_on) >= week.start,
            col(LoopItem.shipped_on) <= week.end,
            col(LoopItem.announced_at).is_(None),
        )
        .order_by(col(LoopItem.shipped_on), col(LoopItem.id))
    ).all()
    return [_loop_item(item, tz) for item in rows]


def _upcoming(session: Session, after: dt.datetime, tz: ZoneInfo) -> UpcomingPost | None:
    """The first post planned after the week (a suggestion for the next topic)."""
    row = session.exec(
        select(Post.title, Post.scheduled_at)
        .where(
            col(Post.scheduled_at) >= after,
            col(Post.status).in_([PostStatus.approved.value, PostStatus.scheduled.value, PostStatus.published.value]),
        )
        .order_by(col(Post.scheduled_at), col(Post.id))
        .limit(1)
    ).first()
    if row is None or row[1] is None:
        return None
    return UpcomingPost(row[0], local_day(row[1], tz))


def digest_note(session: Session, *, week_start: dt.date) -> DigestNote:
    row = session.exec(select(WeeklyDigestNote).where(WeeklyDigestNote.week_start == week_start)).first()
    if row is None:
        return DigestNote(week_start, "", "", "", None)
    return DigestNote(row.week_start, row.hero_handle, row.hero_reason, row.next_topic, row.version)


def _check_length(text: str, field: str, message: str) -> None:
    limit = max_length(WeeklyDigestNote, field)
    if len(text) > limit:
        raise ValidationError(_(message, limit=limit))


def save_digest_note(
    *, session: Session, actor: Actor, note_in: WeeklyDigestNoteSave, expected_version: int | None
) -> DigestNote:
    """Choose the hero of the week and the next topic. ``expected_version`` is the version the
    person loaded (None when there was no note yet), so a second save over a newer one is refused."""
    require(actor, Action.edit_digest)
    check_input_text(note_in, labels={"hero_handle": _("hero's handle"), "hero_reason": _("reason for the hero")})
    week = _week(note_in.week_start)
    hero_handle, hero_reason, next_topic = (
        note_in.hero_handle.strip(),
        note_in.hero_reason.strip(),
        note_in.next_topic.strip(),
    )
    _check_length(hero_handle, "hero_handle", N_("The hero's handle is at most {limit} characters."))
    _check_length(next_topic, "next_topic", N_("The next topic is at most {limit} characters; keep it to one line."))
    _check_length(hero_reason, "hero_reason", N_("Say why in at most {limit} characters."))
    if hero_reason and not hero_handle:
        raise ValidationError(_("Name the hero of the week (their handle) before saying why."))
    existing = session.exec(select(WeeklyDigestNote).where(WeeklyDigestNote.week_start == week.start)).first()
    changes: dict[str, Any] = {
        "hero_handle": hero_handle,
        "hero_reason": hero_reason,
        "next_topic": next_topic,
        "chosen_by_id": actor.id,
    }
    if existing is None:
        if expected_version is not None:
            raise ValidationError(_("The note of this week was deleted after you opened it; reload and choose again."))
        records.create(
            session, WeeklyDigestNote(week_start=week.start, **changes), actor=actor, action="digest_note.create"
        )
    else:
        assert existing.id is not None, "a stored note"
        if expected_version is None:
            expected_version = 0  # someone created the note after this person opened the week: refuse
        records.update_versioned(
            session,
            WeeklyDigestNote,
            existing.id,
            expected_version=expected_version,
            changes=changes,
            actor=actor,
            action="digest_note.update",
        )
    return digest_note(session, week_start=week.start)


# --- Markdown ---------------------------------------------------------------------------------


def _safe_url(url: str) -> str | None:
    url = url.strip()
    if re.fullmatch(r"https?://[^\s<>()\[\]`]+", url):
        return url
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _day(day: dt.date) -> str:
    return formats.date(day)


def render_markdown(digest: WeeklyDigest, *, escape: bool = True) -> str:
    """The digest as Markdown, ready to download or preview (user text escaped); ``escape=False``
    gives the plain wording for a post body, which the calendar shows as text. Written in the
    workspace's language and the lead's wording, as ``weekly_digest`` read them."""
    esc: Callable[[str], str] = escape_markdown if escape else _one_line
    with i18n.using(digest.language):
        best_lines = []
        if not digest.best:
            best_lines.append("_" + _("No answered questions this week.") + "_")
        for number, best in enumerate(digest.best, start=1):
            star = " ⭐" if best.best else ""
            question = _(
                "{question} — {author} on {channel}",
                question=esc(best.text),
                author=esc(best.author_handle),
                channel=esc(best.channel),
            )
            q_mark = _("Q:")
            best_lines.append(f"{number}. **{q_mark}** {question}{star}  ")
            if best.reply_text:
                answer = esc(best.reply_text)  # the reply as it was sent
            elif best.answer_title:
                answer = f"**{esc(best.answer_title)}:** {esc(best.answer_text)}"
            else:
                answer = _("answered by the team")
            url = _safe_url(best.answer_link)
            a_mark = _("A:")
            best_lines.append(f"   **{a_mark}** {answer}" + (f" <{url}>" if url else ""))
        if digest.note.hero_handle:
            reason = f" — {esc(digest.note.hero_reason)}" if digest.note.hero_reason else ""
            hero = f"**{esc(digest.note.hero_handle)}**{reason}"
        else:
            hero = "_" + _("Not chosen yet.") + "_"
        loop = []
        if not digest.loop_closed and not digest.shipped:
            loop.append("_" + _("No loop closed this week.") + "_")
        for item in digest.loop_closed:
            if item.announced_on:
                when = _(
                    "shipped {shipped}, announced {announced}",
                    shipped=_day(item.shipped_on),
                    announced=_day(item.announced_on),
                )
            else:
                when = _("shipped {shipped}", shipped=_day(item.shipped_on))
            loop.append(f"- {esc(item.what_changed)} ({when})")
        for item in digest.shipped:
            when = _("shipped {shipped}; announcement to follow", shipped=_day(item.shipped_on))
            loop.append(f"- {esc(item.what_changed)} ({when})")
        next_topic = esc(digest.next_topic) if digest.next_topic else "_" + _("To be announced.") + "_"
        body = text_templates.fill(
            digest.templates,
            "weekly_digest",
            title=digest.title,
            best="\n".join(best_lines),
            hero=hero,
            loop="\n".join(loop),
            next_topic=next_topic,
        )
    return body + "\n"


def export_digest(*, session: Session, actor: Actor, week_start: dt.date) -> str:
    """The week's digest as a Markdown file (user text escaped); the download is audited."""
    require(actor, Action.view_kpis)
    weekly = weekly_digest(session, week_start=week_start)
    entries = len(weekly.best) + len(weekly.loop_closed) + len(weekly.shipped)
    exports.record_export(
        session,
        actor=actor,
        what="digest",
        file_format="md",
        rows=entries,
        details={"week": weekly.week.start.isoformat()},
    )
    return render_markdown(weekly)


# --- drafting the post ------------------------------------------------------------------------


def draft_digest_post(*, session: Session, actor: Actor, week_start: dt.date, channel_id: int) -> int:
    """Draft the digest as a "Digest of the week" post in the content calendar; returns its id."""
    require(actor, Action.draft_post)
    weekly = weekly_digest(session, week_start=week_start)
    post_in = post_create(
        {
            **template_defaults(DIGEST_TEMPLATE),
            "title": weekly.title,
            "body": render_markdown(weekly, escape=False),
            "channel_id": channel_id,
        }
    )
    return posts.create_post(session=session, actor=actor, post_in=post_in).id
