"""Is a post ready to go out? The checklist and the guards applied with what the database knows
(the stop word list, the channel's other posts that day, its rhythm): ``check_post`` shows them
beside the editor's unsaved form; the commands call the ``require_…`` functions to refuse."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core import workspace
from core.content_plan import guards, rules, sensitive
from core.content_plan.status import FINAL, ON_THE_PLAN
from core.errors import ValidationError
from core.i18n import N_, _
from core.local_time import day_bounds, local_day
from db.models import Channel, CognitiveLoad, Post, PostBase, PostStatus, StopWord
from db.types import utcnow


@dataclass(frozen=True)
class PostCheck:
    """What the editor shows beside the form: the checklist and every guard, from form values."""

    checklist: tuple[rules.CheckItem, ...]
    stop_words: tuple[guards.StopWordHit, ...]
    problems: tuple[str, ...]  # will refuse approval or scheduling
    warnings: tuple[str, ...]  # worth a second look, refuse nothing
    status: str | None = None  # the saved post's status (None: a new post)

    @property
    def ready(self) -> bool:
        return not rules.failing(self.checklist) and not guards.blocking(self.stop_words)

    @property
    def conclusion(self) -> str | None:
        """What the checklist concludes for the post's next step, said only when nothing on it
        is flagged (no problem, no warning) and the post still has a step ahead of it."""
        if not self.ready or self.problems or self.warnings or self.status in FINAL:
            return None
        return _(_CONCLUSIONS.get(self.status, _CONCLUSIONS[None]))


_CONCLUSIONS: dict[str | None, str] = {
    None: N_("Ready for approval."),
    PostStatus.draft: N_("Ready for approval."),
    PostStatus.in_review: N_("Ready for approval."),
    PostStatus.approved: N_("Approved and ready to schedule."),
    PostStatus.scheduled: N_("Checked and scheduled."),
}
PAST_TIME = N_("The scheduled time is in the past.")
PAST_TIME_SCHEDULED = N_(
    "The scheduled time is in the past: mark the post as published once it is out, or move it to a new time."
)


# --- stop words and the checklist ------------------------------------------------------------


def stop_word_rules(session: Session) -> list[guards.StopWordRule]:
    return [guards.StopWordRule(w.word, w.mode) for w in session.exec(select(StopWord).order_by(col(StopWord.word)))]


def stop_word_hits(session: Session, post: PostBase) -> list[guards.StopWordHit]:
    texts = {"title": post.title or "", "body": post.body or "", "next_step_text": post.next_step_text or ""}
    return guards.match_stop_words(texts, stop_word_rules(session))


def _stop_word_warnings(hits: list[guards.StopWordHit]) -> list[str]:
    warn = guards.warning_only(hits)
    return [_("Stop words to double-check: {words}.", words=guards.stop_word_message(warn))] if warn else []


def require_ready(session: Session, post: PostBase, *, post_id: int | None = None) -> list[str]:
    """Refuse unless the checklist passes (a saved sensitive post's lines included) and no
    blocking stop word is used; returns warnings."""
    extra = sensitive.checklist_items(sensitive.sensitivity(session, post_id=post_id)) if post_id is not None else []
    missing = rules.failing([*rules.checklist(post), *extra])
    hits = stop_word_hits(session, post)
    problems = [f"{item.label}: {item.detail}" for item in missing]
    blocked = guards.blocking(hits)
    if blocked:
        problems.append(
            _("Stop words that block publication: {words}. Rephrase them.", words=guards.stop_word_message(blocked))
        )
    if problems:
        raise ValidationError(
            _("Not ready for approval. Fix these first:\n- {problems}", problems="\n- ".join(problems))
        )
    return _stop_word_warnings(hits)


# --- the channel's day and rhythm ------------------------------------------------------------


def _day_posts(
    session: Session, *, channel_id: int, at: dt.datetime, tz: ZoneInfo, exclude_id: int | None
) -> list[guards.DayPost]:
    start, end = day_bounds(local_day(at, tz), tz)
    statement = select(Post.id, Post.title, Post.scheduled_at).where(
        Post.channel_id == channel_id,
        col(Post.scheduled_at) >= start,
        col(Post.scheduled_at) < end,
        col(Post.status).in_(ON_THE_PLAN),
    )
    if exclude_id is not None:
        statement = statement.where(Post.id != exclude_id)
    return [guards.DayPost(i, t, a) for i, t, a in session.exec(statement) if i is not None and a is not None]


def daily_conflict_message(session: Session, post: PostBase, *, post_id: int | None) -> str | None:
    """Why the channel's daily limit refuses ``post`` at its time (None when there is room)."""
    at, channel_id = post.scheduled_at, post.channel_id
    channel = session.get(Channel, channel_id) if channel_id else None
    if at is None or channel is None or channel.id is None:
        return None
    tz = workspace.timezone(session)
    others = _day_posts(session, channel_id=channel.id, at=at, tz=tz, exclude_id=post_id)
    conflicts = guards.daily_limit_conflicts(at, limit=channel.daily_post_limit, others=others, tz=tz)
    if not conflicts:
        return None
    return guards.daily_limit_message(channel.name, local_day(at, tz), channel.daily_post_limit, conflicts, tz)


def require_daily_slot(session: Session, post: PostBase, *, post_id: int | None) -> None:
    """Refuse when the channel already has its daily limit of posts on ``post``'s local day."""
    if post.scheduled_at is not None and post.channel_id:
        # Lock the channel row first, so two people scheduling into its last free slot at the
        # same moment are taken one after the other (SQLite's BEGIN IMMEDIATE does this already).
        session.exec(select(Channel.id).where(Channel.id == post.channel_id).with_for_update()).first()
    message = daily_conflict_message(session, post, post_id=post_id)
    if message:
        raise ValidationError(message)


def rhythm_message(session: Session, post: PostBase, *, post_id: int | None) -> str | None:
    """A warning when ``post`` at its time makes too long a run of high-load posts in its channel."""
    at, channel_id = post.scheduled_at, post.channel_id
    if at is None or not channel_id:
        return None
    limit = workspace.info(session).high_load_run_limit
    base = select(Post.cognitive_load).where(
        Post.channel_id == channel_id, col(Post.scheduled_at).is_not(None), Post.status != PostStatus.cancelled
    )
    if post_id is not None:
        base = base.where(Post.id != post_id)
    # Only the `limit` neighbours on each side can matter for a run through this post.
    before = list(
        session.exec(
            base.where(col(Post.scheduled_at) <= at)
            .order_by(col(Post.scheduled_at).desc(), col(Post.id).desc())
            .limit(limit)
        )
    )
    after = list(
        session.exec(
            base.where(col(Post.scheduled_at) > at).order_by(col(Post.scheduled_at), col(Post.id)).limit(limit)
        )
    )
    loads = [*reversed(before), post.cognitive_load or CognitiveLoad.low, *after]
    return guards.rhythm_warning(loads, len(before), limit)


# --- the editor's live check -----------------------------------------------------------------


def check_post(
    session: Session, *, draft: PostBase, post_id: int | None = None, now: dt.datetime | None = None
) -> PostCheck:
    """Checklist and guards for a post as the form currently holds it (nothing is saved)."""
    return with_timing(stored_checks(session, draft=draft, post_id=post_id), draft, now=now or utcnow())


def stored_checks(session: Session, *, draft: PostBase, post_id: int | None = None) -> PostCheck:
    """The part of ``check_post`` that depends on what is saved, not on the clock (a screen caches
    it until the content plan changes and adds ``with_timing`` on every run)."""
    at = draft.scheduled_at
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        draft = draft.model_copy(update={"scheduled_at": None})
    extra = sensitive.checklist_items(sensitive.sensitivity(session, post_id=post_id)) if post_id is not None else []
    items = (*rules.checklist(draft), *extra)
    hits = tuple(stop_word_hits(session, draft))
    problems = [f"{i.label}: {i.detail}" for i in rules.failing(items)]
    blocked = guards.blocking(hits)
    if blocked:
        problems.append(_("Stop words block publication: {words}.", words=guards.stop_word_message(blocked)))
    warnings = _stop_word_warnings(list(hits))
    saved = session.get(Post, post_id) if post_id is not None else None
    if saved is not None and saved.status in FINAL:
        # Out or dropped: the checklist shows how it went out; the plan's guards are past.
        return PostCheck(items, hits, tuple(problems), tuple(warnings), status=saved.status)
    if saved is not None and saved.blocked_reason:
        problems.append(_("Blocked by compliance: {reason}", reason=saved.blocked_reason))
    daily = daily_conflict_message(session, draft, post_id=post_id)
    if daily:
        problems.append(_("Scheduling will be refused — {reason}", reason=daily))
    rhythm = rhythm_message(session, draft, post_id=post_id)
    if rhythm:
        warnings.append(rhythm)
    return PostCheck(items, hits, tuple(problems), tuple(warnings), status=saved.status if saved else None)


def with_timing(check: PostCheck, draft: PostBase, *, now: dt.datetime) -> PostCheck:
    """``check`` with the warnings that depend on the clock (a time already past; nothing for a
    post that went out or was cancelled)."""
    at = draft.scheduled_at
    if check.status in FINAL or at is None or at.tzinfo is None or at.utcoffset() is None or at >= now:
        return check
    warning = _(PAST_TIME_SCHEDULED if check.status == PostStatus.scheduled else PAST_TIME)
    return dataclasses.replace(check, warnings=(*check.warnings, warning))
