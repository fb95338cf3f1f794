"""The content calendar: posts, templates, the status flow, metrics, CSV import/export and .ics.

Every post invites a dialog (paper §3): it has a next step and a micro-interaction goal, and the
pre-publication checklist (§13) gates approval. The rules themselves are pure functions in
``core.content_rules``; this module loads what they need, enforces them, checks roles and writes
through ``core.records`` so every change is audited and version-checked.

Status flow: draft → in review → approved → scheduled → published, or cancelled. Editors draft and
submit their own posts; only lead/admin approve, schedule and publish; compliance blocks with a
reason. Windows of the calendar are always bounded by ``scheduled_at`` in SQL and lists are paged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import Float, case, cast, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from core import audit, events, records, workspace
from core import content_rules as rules
from core.errors import NotFoundError, PermissionDenied, ValidationError
from core.exports import to_csv
from core.permissions import Action, Actor, allowed, require
from db.models import Channel, CognitiveLoad, NextStepType, Post, PostStatus, Rubric, StopWord, StopWordMode, User
from db.types import utcnow

UTC = dt.UTC

EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "body",
    "channel_id",
    "rubric_id",
    "template",
    "format",
    "cognitive_load",
    "owner_id",
    "sla_owner_id",
    "scheduled_at",
    "next_step_type",
    "next_step_text",
    "micro_goal",
    "link_url",
    "tone_confirmed",
    "subtitles",
    "timecodes",
    "alt_text",
    "contrast_confirmed",
    "sponsored",
    "partner",
    "ad_label",
)
METRIC_FIELDS: tuple[str, ...] = (
    "impressions",
    "reactions",
    "comments",
    "shares",
    "saves",
    "guide_clicks",
    "next_step_conversions",
)
METRIC_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "impressions": "Impressions",
        "reactions": "Reactions",
        "comments": "Comments",
        "shares": "Shares",
        "saves": "Saves",
        "guide_clicks": "Click-throughs to guide/FAQ",
        "next_step_conversions": "Next-step conversions",
    }
)
_BOOL_FIELDS = ("tone_confirmed", "subtitles", "timecodes", "contrast_confirmed", "sponsored", "ad_label")
#: Statuses that occupy a slot of the channel's daily limit.
_COUNTED_FOR_LIMIT = (PostStatus.scheduled, PostStatus.published)
WINDOW_LIMIT = 10_000
MAX_IMPORT_ROWS = 5_000


# --- templates (paper §11) -------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    rubric: str
    summary: str
    fields: Mapping[str, Any]


def _template(key: str, label: str, rubric: str, summary: str, **fields: Any) -> Template:
    return Template(key, label, rubric, summary, MappingProxyType({"template": key, **fields}))


TEMPLATES: Mapping[str, Template] = MappingProxyType(
    {
        t.key: t
        for t in (
            _template(
                "myth_busting",
                "Myth busting",
                "Myth vs fact",
                "Carousel: myth → fact → what to do.",
                format="carousel",
                cognitive_load=CognitiveLoad.high,
                body=(
                    "Slide 1 — Myth: (the belief we keep hearing in the comments)\n"
                    "Slide 2 — Fact: (what is true, and how we know)\n"
                    "Slide 3 — What to do: (one concrete step)\n"
                    "Last slide — Which myth should we take apart next?"
                ),
                next_step_type=NextStepType.comment_prompt,
                next_step_text="Which myth should we take apart next? Tell us in the comments.",
                micro_goal="20 comments naming the next myth",
            ),
            _template(
                "how_it_works",
                "How it works",
                "How it works",
                "Video of 45–90 seconds; collect questions for the FAQ.",
                format="video",
                cognitive_load=CognitiveLoad.high,
                body=(
                    "Video, 45–90 seconds, with subtitles and timecodes.\n"
                    "0:00 The question we keep getting\n"
                    "0:10 How it works, step by step\n"
                    "0:50 Where to read more (guide / FAQ)\n"
                    "End card — Leave your question, we are collecting the FAQ."
                ),
                next_step_type=NextStepType.comment_prompt,
                next_step_text="Leave your question, we are collecting the FAQ.",
                micro_goal="15 new questions for the FAQ",
            ),
            _template(
                "ideas_for_the_product",
                "Ideas for the product",
                "Ideas for the product",
                "A brief post, a proposal form, a promise to come back with results.",
                format="text",
                cognitive_load=CognitiveLoad.low,
                body=(
                    "What would make the product better for you? Tell us in a two-minute form.\n"
                    "We read every proposal and will come back with the results — what we build and why."
                ),
                next_step_type=NextStepType.form,
                next_step_text="Fill in the proposal form: which feature should we build next? We will come back with the results.",
                micro_goal="40 proposals through the form",
            ),
            _template(
                "digest_of_the_week",
                "Digest of the week",
                "Digest of the week",
                "Best questions and answers, hero of the week, event announcement.",
                format="carousel",
                cognitive_load=CognitiveLoad.low,
                body=(
                    "The best questions and answers of the week:\n1. …\n2. …\n3. …\n"
                    "Hero of the week: (who, and what they did for the community)\n"
                    "Coming up: (the event or next topic) — sign up!"
                ),
                next_step_type=NextStepType.event,
                next_step_text="Sign up for the next event — the link is in the first comment.",
                micro_goal="50 event sign-ups",
            ),
            _template(
                "open_retro",
                "Open retro",
                "Open retro",
                "What was launched, what did not work, what we change; invitation to discuss.",
                format="text",
                cognitive_load=CognitiveLoad.high,
                body="What we launched: …\nWhat did not work: …\nWhat we change: …\nTell us in the thread what you noticed.",
                next_step_type=NextStepType.thread,
                next_step_text="Join the retro thread: what should we change next?",
                micro_goal="25 replies in the retro thread",
            ),
        )
    }
)


def template_defaults(key: str) -> dict[str, Any]:
    """The fields a template pre-fills (format, load, body structure, next step, goal)."""
    try:
        return dict(TEMPLATES[key].fields)
    except KeyError:
        raise ValidationError(f"Unknown template {key!r}; choose one of: {', '.join(TEMPLATES)}.") from None


# --- read models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostView:
    id: int
    title: str
    body: str
    status: str
    channel_id: int
    channel_name: str
    rubric_id: int | None
    rubric_name: str
    template: str
    format: str
    cognitive_load: str
    owner_id: int | None
    owner_name: str
    sla_owner_id: int | None
    sla_owner_name: str
    scheduled_at: dt.datetime | None
    published_at: dt.datetime | None
    next_step_type: str
    next_step_text: str
    micro_goal: str
    link_url: str
    tone_confirmed: bool
    subtitles: bool
    timecodes: bool
    alt_text: str
    contrast_confirmed: bool
    sponsored: bool
    partner: str
    ad_label: bool
    blocked_reason: str
    blocked_by_id: int | None
    blocked_by_name: str
    blocked_at: dt.datetime | None
    impressions: int | None
    reactions: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    guide_clicks: int | None
    next_step_conversions: int | None
    created_by_id: int | None
    version: int

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_reason)

    @property
    def conversion_rate(self) -> float | None:
        return rules.conversion_rate(self.next_step_conversions, self.impressions)

    def editable_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EDITABLE_FIELDS}

    def metrics(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRIC_FIELDS}


@dataclass(frozen=True)
class CalendarEntry:
    """A post as the calendar grid and the list show it (no body: windows stay light)."""

    id: int
    title: str
    status: str
    channel_id: int
    channel_name: str
    rubric_name: str
    format: str
    cognitive_load: str
    owner_id: int | None
    owner_name: str
    scheduled_at: dt.datetime | None
    published_at: dt.datetime | None
    blocked: bool
    next_step_type: str
    impressions: int | None
    next_step_conversions: int | None

    @property
    def conversion_rate(self) -> float | None:
        return rules.conversion_rate(self.next_step_conversions, self.impressions)


@dataclass(frozen=True)
class PostFilter:
    """Calendar filters; an empty tuple means "all"."""

    channel_ids: tuple[int, ...] = ()
    rubric_ids: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PostPage:
    rows: tuple[CalendarEntry, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class TransitionResult:
    post: PostView
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PostCheck:
    """What the editor shows beside the form: the checklist and every guard, from form values."""

    checklist: tuple[rules.CheckItem, ...]
    stop_words: tuple[rules.StopWordHit, ...]
    problems: tuple[str, ...]  # will refuse approval or scheduling
    warnings: tuple[str, ...]  # worth a second look, refuse nothing

    @property
    def ready(self) -> bool:
        return not rules.failing(self.checklist) and not rules.blocking(self.stop_words)


@dataclass(frozen=True)
class RubricConversion:
    rubric: str
    posts: int
    posts_with_next_step: int
    impressions: int
    conversions: int

    @property
    def rate(self) -> float | None:
        return rules.conversion_rate(self.conversions, self.impressions)


@dataclass(frozen=True)
class ImportProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: tuple[ImportProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Person:
    id: int
    label: str


@dataclass(frozen=True)
class StopWordView:
    id: int
    word: str
    mode: str


@dataclass(frozen=True)
class RubricView:
    id: int
    name: str
    description: str
    builtin: bool
    active: bool


@dataclass(frozen=True)
class CalendarOptions:
    """What the screen's pickers offer: channels, rubrics, people, the rhythm limit."""

    channels: tuple[workspace.ChannelView, ...]
    rubrics: tuple[RubricView, ...]
    people: tuple[Person, ...]
    rhythm_limit: int
    workspace_version: int


# --- lookups ---------------------------------------------------------------------------------


def rubric_id(session: Session, name: str) -> int:
    """The id of the rubric called ``name`` (exact, then case-insensitive)."""
    found = session.exec(select(Rubric.id).where(Rubric.name == name)).first()
    if found is None:
        found = session.exec(select(Rubric.id).where(func.lower(Rubric.name) == name.strip().lower())).first()
    if found is None:
        raise NotFoundError(f"There is no rubric called {name!r}; a lead can add it under Rules.")
    return found


def _label(user: User | None) -> str:
    return "" if user is None else (user.name or user.username)


def _view(session: Session, post: Post) -> PostView:
    channel = session.get(Channel, post.channel_id)
    rubric = session.get(Rubric, post.rubric_id) if post.rubric_id else None
    people = {uid: session.get(User, uid) for uid in {post.owner_id, post.sla_owner_id, post.blocked_by_id} if uid}
    values = {f.name: getattr(post, f.name) for f in dc_fields(PostView) if hasattr(Post, f.name)}
    return PostView(
        **values,
        channel_name=channel.name if channel else "",
        rubric_name=rubric.name if rubric else "",
        owner_name=_label(people.get(post.owner_id)),
        sla_owner_name=_label(people.get(post.sla_owner_id)),
        blocked_by_name=_label(people.get(post.blocked_by_id)),
    )


def get_post(session: Session, post_id: int) -> PostView:
    return _view(session, records.get_or_404(session, Post, post_id, what="Post"))


def calendar_options(session: Session) -> CalendarOptions:
    people = session.exec(select(User).where(User.active == True).order_by(col(User.name), col(User.username))).all()  # noqa: E712
    info = workspace.info(session)
    return CalendarOptions(
        channels=tuple(workspace.list_channels(session)),
        rubrics=tuple(_rubric_view(r) for r in workspace.list_rubrics(session)),
        people=tuple(Person(u.id, _label(u)) for u in people),  # type: ignore[arg-type]
        rhythm_limit=info.high_load_run_limit,
        workspace_version=info.version,
    )


def _rubric_view(r: Rubric) -> RubricView:
    return RubricView(r.id, r.name, r.description, r.builtin, r.active)  # type: ignore[arg-type]


# --- validation ------------------------------------------------------------------------------


class FieldProblems(ValidationError):
    """Several fields are wrong at once; ``problems`` maps field → message."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__(" ".join(self.problems.values()))


_MAX_LENGTHS = {
    "title": 200,
    "micro_goal": 300,
    "partner": 120,
    "link_url": 1000,
    "body": 20_000,
    "next_step_text": 2_000,
    "alt_text": 2_000,
}


def _clean_fields(session: Session, fields: Mapping[str, Any], *, actor: Actor, current: Post | None) -> dict[str, Any]:
    """Check and normalise editable fields; raises ``FieldProblems`` naming every bad field."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(f"These fields can't be set on a post: {', '.join(unknown)}.")
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            clean[name] = _clean_one(session, name, value, actor=actor, current=current)
        except ValidationError as error:
            problems[name] = str(error)
    if current is None:
        if "title" not in fields:
            problems["title"] = "A post needs a title."
        if "channel_id" not in fields:
            problems["channel_id"] = "Choose the channel the post goes to."
    if problems:
        raise FieldProblems(problems)
    return clean


def _clean_one(session: Session, name: str, value: Any, *, actor: Actor, current: Post | None) -> Any:
    unchanged = current is not None and getattr(current, name) == value
    if name in _BOOL_FIELDS:
        return bool(value)
    if name == "scheduled_at":
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise ValidationError("The scheduled time must be a date and time.")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError("The scheduled time has no time zone; give it in UTC or the workspace time zone.")
        return value.astimezone(UTC)
    if name in ("channel_id", "rubric_id", "owner_id", "sla_owner_id"):
        return _clean_reference(session, name, value, actor=actor, unchanged=unchanged)
    text = "" if value is None else str(value)
    text = text.strip() if name not in ("body", "next_step_text", "alt_text") else text.strip("\n ")
    limit = _MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise ValidationError(f"The {name.replace('_', ' ')} is {len(text)} characters long; keep it to {limit}.")
    if name == "title" and not text:
        raise ValidationError("A post needs a title.")
    if name == "template" and text and text not in TEMPLATES:
        raise ValidationError(f"Unknown template {text!r}; choose one of: {', '.join(TEMPLATES)}.")
    if name == "format" and text not in rules.FORMATS:
        raise ValidationError(f"Unknown format {text!r}; choose one of: {', '.join(rules.FORMATS)}.")
    if name == "cognitive_load" and text not in tuple(CognitiveLoad):
        raise ValidationError("The cognitive load is 'low' or 'high'.")
    if name == "next_step_type" and text and text not in tuple(NextStepType):
        raise ValidationError(f"Unknown next step {text!r}; choose one of: {', '.join(NextStepType)}.")
    if name == "link_url" and text and not rules.is_web_link(text):
        raise ValidationError(f"The link {text!r} is not a web address; it must start with https://.")
    return text


def _clean_reference(session: Session, name: str, value: Any, *, actor: Actor, unchanged: bool) -> int | None:
    if value in (None, ""):
        if name == "channel_id":
            raise ValidationError("Choose the channel the post goes to.")
        if name == "owner_id":
            return actor.id
        return None
    try:
        ident = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            f"{name.replace('_id', '').replace('_', ' ').capitalize()} {value!r} is not a valid choice."
        ) from None
    if name == "channel_id":
        channel = session.get(Channel, ident)
        if channel is None or (not channel.active and not unchanged):
            raise ValidationError("That channel does not exist or is archived; choose another.")
    elif name == "rubric_id":
        rubric = session.get(Rubric, ident)
        if rubric is None or (not rubric.active and not unchanged):
            raise ValidationError("That rubric does not exist or is archived; choose another.")
    else:
        user = session.get(User, ident)
        if user is None or (not user.active and not unchanged):
            raise ValidationError("That person is not an active user; choose someone else.")
        if name == "owner_id" and ident != actor.id and not unchanged and not allowed(actor, Action.edit_any_post):
            raise PermissionDenied("You can only own your own posts; a lead can hand a post to someone else.")
    return ident


# --- create and edit -------------------------------------------------------------------------


def create_post(session: Session, *, actor: Actor, fields: Mapping[str, Any]) -> PostView:
    """Create a draft from ``fields`` (Post column names); the template's rubric is used when no
    rubric is given."""
    require(actor, Action.draft_post)
    fields = dict(fields)
    fields.setdefault("owner_id", actor.id)
    if not fields.get("rubric_id") and fields.get("template") in TEMPLATES:
        rubric = session.exec(
            select(Rubric.id).where(
                Rubric.name == TEMPLATES[fields["template"]].rubric,
                Rubric.active == True,  # noqa: E712
            )
        ).first()
        fields["rubric_id"] = rubric
    clean = _clean_fields(session, fields, actor=actor, current=None)
    now = utcnow()
    post = Post(**clean, status=PostStatus.draft, created_by_id=actor.id, created_at=now, updated_at=now)
    records.create(session, post, actor=actor, action="post.create")
    return _view(session, post)


def _may_edit(actor: Actor, post: Post | PostView) -> bool:
    if allowed(actor, Action.edit_any_post):
        return True
    return allowed(actor, Action.draft_post) and post.owner_id is not None and post.owner_id == actor.id


def editable_by(actor: Actor, post: PostView) -> bool:
    """Whether ``actor`` may change this post's fields now (the screen greys the form out otherwise)."""
    if post.status in (PostStatus.published, PostStatus.cancelled) or not _may_edit(actor, post):
        return False
    return post.status not in (PostStatus.approved, PostStatus.scheduled) or allowed(actor, Action.approve_post)


def update_post(
    session: Session, *, actor: Actor, post_id: int, expected_version: int, fields: Mapping[str, Any]
) -> PostView:
    """Change a post's editable fields. Approved and scheduled posts are re-checked (checklist,
    stop words, daily limit) so an edit cannot slip past the approval."""
    require(actor, Action.draft_post)
    post = records.get_or_404(session, Post, post_id, what="Post")
    if not _may_edit(actor, post):
        raise PermissionDenied("You can edit only your own posts; ask a lead to change this one.")
    if post.status in (PostStatus.published, PostStatus.cancelled):
        raise ValidationError(
            f"A {rules.STATUS_LABELS[post.status].lower()} post can't be changed any more; enter its metrics instead."
        )
    if post.status in (PostStatus.approved, PostStatus.scheduled) and not allowed(actor, Action.approve_post):
        raise PermissionDenied("This post is approved; ask a lead to send it back to draft before you change it.")
    clean = _clean_fields(session, fields, actor=actor, current=post)
    changes = {k: v for k, v in clean.items() if getattr(post, k) != v}
    if not changes:
        return _view(session, post)
    if post.status in (PostStatus.approved, PostStatus.scheduled):
        merged = {**_fields_of(post), **changes}
        _require_ready(session, merged)
        if post.status == PostStatus.scheduled:
            if merged["scheduled_at"] is None:
                raise ValidationError("A scheduled post needs its date and time; unschedule it first to clear them.")
            _require_daily_slot(session, merged, post_id=post.id)
    changes["updated_at"] = utcnow()
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action="post.update"
    )
    return _view(session, post)


def _fields_of(post: Post) -> dict[str, Any]:
    return {name: getattr(post, name) for name in EDITABLE_FIELDS}


# --- the checks (checklist and guards) -------------------------------------------------------


def stop_word_rules(session: Session) -> list[rules.StopWordRule]:
    return [rules.StopWordRule(w.word, w.mode) for w in session.exec(select(StopWord).order_by(col(StopWord.word)))]


def _stop_word_hits(session: Session, values: Mapping[str, Any]) -> list[rules.StopWordHit]:
    texts = {name: values.get(name) or "" for name in ("title", "body", "next_step_text")}
    return rules.match_stop_words(texts, stop_word_rules(session))


def _require_ready(session: Session, values: Mapping[str, Any]) -> list[str]:
    """Refuse unless the checklist passes and no blocking stop word is used; returns warnings."""
    missing = rules.failing(rules.checklist(values))
    hits = _stop_word_hits(session, values)
    problems = [f"{item.label}: {item.detail}" for item in missing]
    blocked = rules.blocking(hits)
    if blocked:
        problems.append(f"Stop words that block publication: {rules.stop_word_message(blocked)}. Rephrase them.")
    if problems:
        raise ValidationError("Not ready for approval. Fix these first:\n- " + "\n- ".join(problems))
    warn = [h for h in hits if h.mode == StopWordMode.warn]
    return [f"Stop words to double-check: {rules.stop_word_message(warn)}."] if warn else []


def _day_posts(
    session: Session, *, channel_id: int, at: dt.datetime, tz: ZoneInfo, exclude_id: int | None
) -> list[rules.DayPost]:
    start, end = rules.local_day_bounds(rules.local_day(at, tz), tz)
    statement = select(Post.id, Post.title, Post.scheduled_at).where(
        Post.channel_id == channel_id,
        col(Post.scheduled_at) >= start,
        col(Post.scheduled_at) < end,
        col(Post.status).in_(_COUNTED_FOR_LIMIT),
    )
    if exclude_id is not None:
        statement = statement.where(Post.id != exclude_id)
    return [rules.DayPost(i, t, a) for i, t, a in session.exec(statement)]


def _daily_conflict_message(session: Session, values: Mapping[str, Any], *, post_id: int | None) -> str | None:
    at, channel_id = values.get("scheduled_at"), values.get("channel_id")
    channel = session.get(Channel, channel_id) if channel_id else None
    if at is None or channel is None:
        return None
    tz = workspace.timezone(session)
    conflicts = rules.daily_limit_conflicts(
        at,
        limit=channel.daily_post_limit,
        others=_day_posts(session, channel_id=channel.id, at=at, tz=tz, exclude_id=post_id),
        tz=tz,  # type: ignore[arg-type]
    )
    if not conflicts:
        return None
    return rules.daily_limit_message(channel.name, rules.local_day(at, tz), channel.daily_post_limit, conflicts, tz)


def _require_daily_slot(session: Session, values: Mapping[str, Any], *, post_id: int | None) -> None:
    if values.get("scheduled_at") is not None and values.get("channel_id"):
        # Lock the channel row first, so two people scheduling into its last free slot at the
        # same moment are taken one after the other (SQLite's BEGIN IMMEDIATE does this already).
        session.exec(select(Channel.id).where(Channel.id == values["channel_id"]).with_for_update()).first()
    message = _daily_conflict_message(session, values, post_id=post_id)
    if message:
        raise ValidationError(message)


def _rhythm_message(session: Session, values: Mapping[str, Any], *, post_id: int | None) -> str | None:
    at, channel_id = values.get("scheduled_at"), values.get("channel_id")
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
    loads = [*reversed(before), values.get("cognitive_load") or CognitiveLoad.low, *after]
    return rules.rhythm_warning(loads, len(before), limit)


def check_post(session: Session, *, fields: Mapping[str, Any], post_id: int | None = None) -> PostCheck:
    """Checklist and guards for a post as the form currently holds it (nothing is saved)."""
    values = dict(fields)
    at = values.get("scheduled_at")
    if isinstance(at, dt.datetime) and at.tzinfo is None:
        values["scheduled_at"] = None
    items = tuple(rules.checklist(values))
    hits = tuple(_stop_word_hits(session, values))
    problems = [f"{i.label}: {i.detail}" for i in rules.failing(items)]
    blocked = rules.blocking(hits)
    if blocked:
        problems.append(f"Stop words block publication: {rules.stop_word_message(blocked)}.")
    warnings: list[str] = []
    warn = [h for h in hits if h.mode == StopWordMode.warn]
    if warn:
        warnings.append(f"Stop words to double-check: {rules.stop_word_message(warn)}.")
    if post_id is not None:
        post = session.get(Post, post_id)
        if post is not None and post.blocked_reason:
            problems.append(f"Blocked by compliance: {post.blocked_reason}")
    daily = _daily_conflict_message(session, values, post_id=post_id)
    if daily:
        problems.append(f"Scheduling will be refused — {daily}")
    rhythm = _rhythm_message(session, values, post_id=post_id)
    if rhythm:
        warnings.append(rhythm)
    if values.get("scheduled_at") is not None and values["scheduled_at"] < utcnow():
        warnings.append("The scheduled time is in the past.")
    return PostCheck(items, hits, tuple(problems), tuple(warnings))


# --- the status flow -------------------------------------------------------------------------

_ACTION_NAMES = {
    (PostStatus.draft, PostStatus.in_review): "post.submit",
    (PostStatus.in_review, PostStatus.approved): "post.approve",
    (PostStatus.approved, PostStatus.scheduled): "post.schedule",
    (PostStatus.scheduled, PostStatus.published): "post.publish",
    (PostStatus.in_review, PostStatus.draft): "post.send_back",
    (PostStatus.approved, PostStatus.draft): "post.send_back",
    (PostStatus.scheduled, PostStatus.approved): "post.unschedule",
}


def _transition_refusal(actor: Actor, owner_id: int | None, current: str, target: str) -> str | None:
    """Why ``actor`` may not move a post from ``current`` to ``target`` (None when they may)."""
    if not rules.transition_allowed(current, target):
        return f"A {rules.STATUS_LABELS[current].lower()} post can't become {rules.STATUS_LABELS[target].lower()}."
    approver = allowed(actor, Action.approve_post)
    drafter = allowed(actor, Action.draft_post)
    owner = drafter and owner_id is not None and owner_id == actor.id
    if target == PostStatus.in_review:
        ok = approver or owner or (drafter and allowed(actor, Action.edit_any_post))
        why = "Only the post's owner or a lead can submit it for review."
    elif target == PostStatus.draft:
        ok = approver or (owner and current == PostStatus.in_review)
        why = "Only a lead can send an approved post back; owners can withdraw posts that are in review."
    elif target == PostStatus.cancelled:
        ok = approver or (owner and current == PostStatus.draft)
        why = "Only a lead can cancel this post; owners can cancel their own drafts."
    else:
        ok = approver
        verb = {PostStatus.approved: "approve", PostStatus.scheduled: "schedule", PostStatus.published: "publish"}[
            target
        ]
        why = f"Only a lead or admin can {verb} posts (your role: {actor.role})."
        if current == PostStatus.scheduled and target == PostStatus.approved:
            why = f"Only a lead or admin can take a post off the schedule (your role: {actor.role})."
    return None if ok else why


def _blocked_refusal(blocked_reason: str, current: str, target: str) -> str | None:
    """A compliance block stops every step towards publication (taking a post off the schedule
    stays possible)."""
    forward = target in (PostStatus.approved, PostStatus.scheduled, PostStatus.published)
    if blocked_reason and forward and not (current == PostStatus.scheduled and target == PostStatus.approved):
        return f"Blocked by compliance: {blocked_reason} The block must be lifted first."
    return None


def allowed_transitions(actor: Actor, post: PostView) -> list[str]:
    """The statuses ``actor`` may move ``post`` to (for the screen's buttons; the core re-checks)."""
    return [
        target
        for target in rules.NEXT_STATUSES.get(post.status, ())
        if _transition_refusal(actor, post.owner_id, post.status, target) is None
        and _blocked_refusal(post.blocked_reason, post.status, target) is None
    ]


def change_status(
    session: Session,
    *,
    actor: Actor,
    post_id: int,
    expected_version: int,
    target: str,
    scheduled_at: dt.datetime | None = None,
) -> TransitionResult:
    """Move a post one step along the status flow, with every rule of that step checked."""
    post = records.get_or_404(session, Post, post_id, what="Post")
    current, target = PostStatus(post.status), PostStatus(target)
    refusal = _transition_refusal(actor, post.owner_id, current, target)
    if refusal is not None:
        if not rules.transition_allowed(current, target):
            raise ValidationError(refusal)
        raise PermissionDenied(refusal)
    blocked = _blocked_refusal(post.blocked_reason, current, target)
    if blocked is not None:
        raise ValidationError(blocked)

    now = utcnow()
    changes: dict[str, Any] = {"status": target, "updated_at": now}
    warnings: list[str] = []
    values = _fields_of(post)
    if target == PostStatus.approved and current == PostStatus.in_review:
        warnings += _require_ready(session, values)
    elif target == PostStatus.scheduled:
        at = scheduled_at if scheduled_at is not None else post.scheduled_at
        if at is None:
            raise ValidationError("Pick the date and time to publish before scheduling.")
        at = _clean_one(session, "scheduled_at", at, actor=actor, current=None)
        values["scheduled_at"] = at
        warnings += _require_ready(session, values)
        _require_daily_slot(session, values, post_id=post.id)
        rhythm = _rhythm_message(session, values, post_id=post.id)
        warnings += [rhythm] if rhythm else []
        if at < now:
            warnings.append("The scheduled time is in the past.")
        changes["scheduled_at"] = at
    elif target == PostStatus.published:
        # It went out at its scheduled time, or now if that is still ahead.
        published = min(post.scheduled_at or now, now)
        changes.update(published_at=published, scheduled_at=published)
    action = _ACTION_NAMES.get((current, target), f"post.{target.value}")
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action=action
    )
    if target == PostStatus.published:
        events.post_published(session, post=post, actor=actor)
    return TransitionResult(_view(session, post), tuple(warnings))


def submit_post(session: Session, *, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    return change_status(
        session, actor=actor, post_id=post_id, expected_version=expected_version, target=PostStatus.in_review
    )


def approve_post(session: Session, *, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    return change_status(
        session, actor=actor, post_id=post_id, expected_version=expected_version, target=PostStatus.approved
    )


def schedule_post(
    session: Session, *, actor: Actor, post_id: int, expected_version: int, scheduled_at: dt.datetime | None = None
) -> TransitionResult:
    return change_status(
        session,
        actor=actor,
        post_id=post_id,
        expected_version=expected_version,
        target=PostStatus.scheduled,
        scheduled_at=scheduled_at,
    )


def publish_post(session: Session, *, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    return change_status(
        session, actor=actor, post_id=post_id, expected_version=expected_version, target=PostStatus.published
    )


def cancel_post(session: Session, *, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    return change_status(
        session, actor=actor, post_id=post_id, expected_version=expected_version, target=PostStatus.cancelled
    )


def send_back_post(session: Session, *, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    return change_status(
        session, actor=actor, post_id=post_id, expected_version=expected_version, target=PostStatus.draft
    )


def advance_post(
    session: Session,
    *,
    actor: Actor,
    post_id: int,
    expected_version: int,
    target: str,
    scheduled_at: dt.datetime | None = None,
) -> TransitionResult:
    """Walk a post forward through every step up to ``target`` in one transaction (e.g. a lead's
    "approve and schedule"); each step is checked and audited as if clicked on its own."""
    post = records.get_or_404(session, Post, post_id, what="Post")
    steps = rules.forward_steps(post.status, target)
    if not steps:
        raise ValidationError(
            f"A {rules.STATUS_LABELS[post.status].lower()} post can't move forward to {rules.STATUS_LABELS[PostStatus(target)].lower()}."
        )
    version, warnings, result = expected_version, [], None
    for step in steps:
        result = change_status(
            session,
            actor=actor,
            post_id=post_id,
            expected_version=version,
            target=step,
            scheduled_at=scheduled_at if step == PostStatus.scheduled else None,
        )
        version = result.post.version
        warnings += [w for w in result.warnings if w not in warnings]
    assert result is not None
    return TransitionResult(result.post, tuple(warnings))


def block_post(session: Session, *, actor: Actor, post_id: int, expected_version: int, reason: str) -> PostView:
    """Compliance stops a post, with the reason shown on it until the block is lifted. A
    scheduled post is taken off the schedule (back to approved)."""
    require(actor, Action.block_post)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the post is blocked, so the team knows what to fix.")
    post = records.get_or_404(session, Post, post_id, what="Post")
    if post.status in (PostStatus.published, PostStatus.cancelled):
        raise ValidationError(f"A {rules.STATUS_LABELS[post.status].lower()} post can't be blocked.")
    changes: dict[str, Any] = {
        "blocked_reason": reason,
        "blocked_by_id": actor.id,
        "blocked_at": utcnow(),
        "updated_at": utcnow(),
    }
    if post.status == PostStatus.scheduled:
        changes["status"] = PostStatus.approved
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action="post.block"
    )
    return _view(session, post)


def lift_block(session: Session, *, actor: Actor, post_id: int, expected_version: int) -> PostView:
    require(actor, Action.block_post)
    post = records.get_or_404(session, Post, post_id, what="Post")
    if not post.blocked_reason:
        raise ValidationError("This post is not blocked.")
    changes = {"blocked_reason": "", "blocked_by_id": None, "blocked_at": None, "updated_at": utcnow()}
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action="post.unblock"
    )
    return _view(session, post)


def post_history(session: Session, *, post_id: int) -> list[dict[str, str]]:
    """The post's audit trail, oldest first, as plain rows for the screen (times in the
    workspace time zone)."""
    tz = workspace.timezone(session)
    return [
        {
            "at": rules.format_local(row.at, tz),
            "who": row.actor,
            "what": row.action.removeprefix("post.").replace("_", " "),
        }
        for row in audit.history(session, entity="post", entity_id=post_id)
    ]


# --- metrics ---------------------------------------------------------------------------------


def _clean_metric(name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value) if isinstance(value, str) else value
        if isinstance(number, float):
            if not number.is_integer():
                raise ValueError
            number = int(number)
        number = int(number)
    except (TypeError, ValueError):
        raise ValidationError(f"{METRIC_LABELS[name]} must be a whole number, not {value!r}.") from None
    if number < 0:
        raise ValidationError(f"{METRIC_LABELS[name]} can't be negative.")
    return number


def _check_metric_consistency(values: Mapping[str, int | None]) -> None:
    impressions, conversions = values.get("impressions"), values.get("next_step_conversions")
    if impressions is not None and conversions is not None and conversions > impressions:
        raise ValidationError("Next-step conversions can't exceed impressions; check both figures.")


def record_metrics(
    session: Session, *, actor: Actor, post_id: int, expected_version: int, metrics: Mapping[str, Any]
) -> PostView:
    """Enter a published post's figures (None clears one)."""
    require(actor, Action.enter_post_metrics)
    unknown = sorted(set(metrics) - set(METRIC_FIELDS))
    if unknown:
        raise ValidationError(f"Unknown metrics: {', '.join(unknown)}.")
    post = records.get_or_404(session, Post, post_id, what="Post")
    if post.status != PostStatus.published:
        raise ValidationError("Metrics are entered after publishing; this post is not published yet.")
    clean = {name: _clean_metric(name, value) for name, value in metrics.items()}
    _check_metric_consistency({**{n: getattr(post, n) for n in METRIC_FIELDS}, **clean})
    post = records.update_versioned(
        session,
        Post,
        post_id,
        expected_version=expected_version,
        changes={**clean, "updated_at": utcnow()},
        actor=actor,
        action="post.metrics",
    )
    return _view(session, post)


# --- windows, lists and figures --------------------------------------------------------------

_Owner = aliased(User)
_OWNER_LABEL = func.coalesce(func.nullif(_Owner.name, ""), _Owner.username)
_RATE = cast(Post.next_step_conversions, Float) / func.nullif(Post.impressions, 0)
SORTS: Mapping[str, Any] = MappingProxyType(
    {
        "scheduled_at": Post.scheduled_at,
        "title": Post.title,
        "status": Post.status,
        "channel": Channel.name,
        "rubric": Rubric.name,
        "owner": _OWNER_LABEL,
        "impressions": Post.impressions,
        "conversion_rate": _RATE,
    }
)


def _entry_select():
    return (
        select(
            Post.id,
            Post.title,
            Post.status,
            Post.channel_id,
            Channel.name,
            func.coalesce(Rubric.name, ""),
            Post.format,
            Post.cognitive_load,
            Post.owner_id,
            func.coalesce(_OWNER_LABEL, ""),
            Post.scheduled_at,
            Post.published_at,
            Post.blocked_reason,
            Post.next_step_type,
            Post.impressions,
            Post.next_step_conversions,
        )
        .select_from(Post)
        .join(Channel, Channel.id == Post.channel_id)
        .outerjoin(Rubric, Rubric.id == Post.rubric_id)
        .outerjoin(_Owner, _Owner.id == Post.owner_id)
    )


def _entry(row: Sequence[Any]) -> CalendarEntry:
    values = list(row)
    values[12] = bool(values[12])
    return CalendarEntry(*values)


def _filtered(statement, filters: PostFilter):
    if filters.channel_ids:
        statement = statement.where(col(Post.channel_id).in_(filters.channel_ids))
    if filters.rubric_ids:
        statement = statement.where(col(Post.rubric_id).in_(filters.rubric_ids))
    if filters.statuses:
        statement = statement.where(col(Post.status).in_(filters.statuses))
    if filters.owner_ids:
        statement = statement.where(col(Post.owner_id).in_(filters.owner_ids))
    return statement


def _in_window(statement, start: dt.datetime, end: dt.datetime):
    if end <= start:
        raise ValidationError("The end of the period must be after its start.")
    return statement.where(col(Post.scheduled_at) >= start, col(Post.scheduled_at) < end)


def calendar_entries(
    session: Session,
    *,
    start: dt.datetime,
    end: dt.datetime,
    filters: PostFilter = PostFilter(),
    limit: int = WINDOW_LIMIT,
) -> list[CalendarEntry]:
    """Posts planned in [start, end), ordered by time (bounded by the indexed ``scheduled_at``)."""
    statement = _filtered(_in_window(_entry_select(), start, end), filters)
    statement = statement.order_by(col(Post.scheduled_at), col(Post.id)).limit(limit)
    return [_entry(row) for row in session.exec(statement)]


def list_posts(
    session: Session,
    *,
    start: dt.datetime,
    end: dt.datetime,
    filters: PostFilter = PostFilter(),
    sort: str = "scheduled_at",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> PostPage:
    """One page of the window's posts, sorted in SQL."""
    if sort not in SORTS:
        raise ValidationError(f"Unknown sort {sort!r}; choose one of: {', '.join(SORTS)}.")
    page_size = max(1, min(page_size, 500))
    count = _filtered(_in_window(select(func.count()).select_from(Post), start, end), filters)
    total = session.exec(count).one()
    page = max(1, min(page, max(1, -(-total // page_size))))
    key = SORTS[sort]
    order = key.desc().nulls_last() if descending else key.asc().nulls_last()
    statement = _filtered(_in_window(_entry_select(), start, end), filters)
    statement = statement.order_by(order, col(Post.id)).offset((page - 1) * page_size).limit(page_size)
    return PostPage(tuple(_entry(row) for row in session.exec(statement)), total, page, page_size)


def unscheduled_posts(session: Session, *, filters: PostFilter = PostFilter(), limit: int = 50) -> list[CalendarEntry]:
    """Open posts without a date yet (newest first)."""
    statement = _filtered(_entry_select(), filters).where(
        col(Post.scheduled_at).is_(None), col(Post.status).not_in((PostStatus.cancelled, PostStatus.published))
    )
    return [_entry(row) for row in session.exec(statement.order_by(col(Post.id).desc()).limit(limit))]


def rubric_conversions(
    session: Session, *, start: dt.datetime, end: dt.datetime, filters: PostFilter = PostFilter()
) -> list[RubricConversion]:
    """Next-step conversion per rubric over the posts published in [start, end), summed in SQL."""
    name = func.coalesce(Rubric.name, "(no rubric)")
    statement = (
        select(
            name,
            func.count(Post.id),
            func.sum(case((Post.next_step_type != "", 1), else_=0)),
            func.coalesce(func.sum(Post.impressions), 0),
            func.coalesce(func.sum(Post.next_step_conversions), 0),
        )
        .select_from(Post)
        .outerjoin(Rubric, Rubric.id == Post.rubric_id)
        .where(Post.status == PostStatus.published, col(Post.published_at) >= start, col(Post.published_at) < end)
        .group_by(name)
        .order_by(name)
    )
    statement = _filtered(statement, filters)
    return [RubricConversion(r, int(n), int(s or 0), int(i), int(c)) for r, n, s, i, c in session.exec(statement)]


def entries_by_day(entries: Iterable[CalendarEntry], tz: ZoneInfo) -> dict[dt.date, list[CalendarEntry]]:
    """Entries grouped by their local day in the workspace time zone, each day in time order."""
    days: dict[dt.date, list[CalendarEntry]] = {}
    for entry in entries:
        if entry.scheduled_at is not None:
            days.setdefault(entry.scheduled_at.astimezone(tz).date(), []).append(entry)
    for items in days.values():
        items.sort(key=lambda e: (e.scheduled_at, e.id))
    return days


def awaiting_metrics(session: Session, *, start: dt.datetime, end: dt.datetime, limit: int = 20) -> list[CalendarEntry]:
    """Posts published in [start, end) that have no impressions yet (oldest first)."""
    statement = _in_window(_entry_select(), start, end).where(
        Post.status == PostStatus.published, col(Post.impressions).is_(None)
    )
    return [_entry(row) for row in session.exec(statement.order_by(col(Post.scheduled_at), col(Post.id)).limit(limit))]


@dataclass(frozen=True)
class RhythmPoint:
    post_id: int
    channel: str
    at: dt.datetime
    load: str
    title: str
    over_limit: bool


def rhythm_points(entries: Iterable[CalendarEntry], *, limit: int) -> list[RhythmPoint]:
    """Each channel's posts in order with their load, marking runs of high load over ``limit``."""
    by_channel: dict[str, list[CalendarEntry]] = {}
    for entry in entries:
        if entry.scheduled_at is not None and entry.status != PostStatus.cancelled:
            by_channel.setdefault(entry.channel_name, []).append(entry)
    points: list[RhythmPoint] = []
    for channel, items in sorted(by_channel.items()):
        items.sort(key=lambda e: (e.scheduled_at, e.id))
        over = rules.over_limit_positions([e.cognitive_load for e in items], limit)
        points += [
            RhythmPoint(e.id, channel, e.scheduled_at, e.cognitive_load, e.title, i in over)
            for i, e in enumerate(items)
        ]  # type: ignore[arg-type]
    return points


# --- CSV export and import -------------------------------------------------------------------

EXPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "status",
    "channel",
    "rubric",
    "template",
    "format",
    "cognitive_load",
    "owner",
    "sla_owner",
    "scheduled_at",
    "published_at",
    "next_step_type",
    "next_step_text",
    "micro_goal",
    "link_url",
    "tone_confirmed",
    "subtitles",
    "timecodes",
    "alt_text",
    "contrast_confirmed",
    "sponsored",
    "partner",
    "ad_label",
    "body",
    "blocked_reason",
    *METRIC_FIELDS,
    "conversion_rate",
)
#: Columns an export carries that an import ignores (imported posts start as drafts).
EXPORT_ONLY_COLUMNS = frozenset({"id", "status", "published_at", "blocked_reason", *METRIC_FIELDS, "conversion_rate"})
_REFERENCE_COLUMNS = {"channel": "channel_id", "rubric": "rubric_id", "owner": "owner_id", "sla_owner": "sla_owner_id"}
IMPORT_COLUMNS: tuple[str, ...] = tuple(c for c in EXPORT_COLUMNS if c not in EXPORT_ONLY_COLUMNS)
_FIELD_TO_COLUMN = {v: k for k, v in _REFERENCE_COLUMNS.items()}


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_posts_csv(
    session: Session, *, actor: Actor, start: dt.datetime, end: dt.datetime, filters: PostFilter = PostFilter()
) -> str:
    """The window's posts as CSV (times in the workspace zone with their offset; formula-like cells neutralised)."""
    require(actor, Action.export_data)
    tz = workspace.timezone(session)
    sla_owner = aliased(User)
    statement = (
        select(Post, Channel.name, Rubric.name, _Owner.username, sla_owner.username)
        .join(Channel, Channel.id == Post.channel_id)
        .outerjoin(Rubric, Rubric.id == Post.rubric_id)
        .outerjoin(_Owner, _Owner.id == Post.owner_id)
        .outerjoin(sla_owner, sla_owner.id == Post.sla_owner_id)
    )
    statement = _filtered(_in_window(statement, start, end), filters).order_by(col(Post.scheduled_at), col(Post.id))
    rows = []
    for post, channel, rubric, owner, sla in session.exec(statement):
        row: dict[str, Any] = {name: getattr(post, name) for name in EXPORT_COLUMNS if hasattr(post, name)}
        row.update(
            channel=channel,
            rubric=rubric or "",
            owner=owner or "",
            sla_owner=sla or "",
            scheduled_at=_iso_local(post.scheduled_at, tz),
            published_at=_iso_local(post.published_at, tz),
            conversion_rate=""
            if rules.conversion_rate(post.next_step_conversions, post.impressions) is None
            else f"{rules.conversion_rate(post.next_step_conversions, post.impressions):.4f}",
        )
        row.update({name: _yes_no(getattr(post, name)) for name in _BOOL_FIELDS})
        rows.append(row)
    return to_csv(rows, EXPORT_COLUMNS)


def _iso_local(instant: dt.datetime | None, tz: ZoneInfo) -> str:
    return "" if instant is None else instant.astimezone(tz).isoformat(sep=" ", timespec="minutes")


def _unneutralise(value: str) -> str:
    """Undo the export's apostrophe in front of formula-like text, so an export imports back."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


_TRUE, _FALSE = {"yes", "y", "true", "1", "x", "ja"}, {"no", "n", "false", "0", "", "nein"}


def _parse_bool(value: str) -> bool:
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValidationError(f"{value!r} is not yes or no.")


def _read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ValidationError("The file is empty; export the calendar once to see the expected columns.")
    # Spreadsheets in many locales save with ';' (or tabs); the header line tells which.
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            row["__extra__"] = row.pop(None)  # type: ignore[arg-type]
        rows.append({k: (v if isinstance(v, str) else "") for k, v in row.items()})
    return header, rows


def import_posts_csv(
    session: Session, *, actor: Actor, text: str, progress: Callable[[float], None] | None = None
) -> ImportReport:
    """Create draft posts from CSV, all or nothing: when any row is wrong nothing is written and
    the report names every wrong row and column. Export-only columns (id, status, metrics…) are
    ignored, so an export can be imported back."""
    require(actor, Action.draft_post)
    header, rows = _read_csv(text)
    problems: list[ImportProblem] = []
    known = set(EXPORT_COLUMNS)
    problems.extend(
        ImportProblem(1, name, f"Unknown column {name!r}; the columns are: {', '.join(IMPORT_COLUMNS)}.")
        for name in header
        if name not in known
    )
    problems.extend(
        ImportProblem(1, required, f"The column {required!r} is missing.")
        for required in ("title", "channel")
        if required not in header
    )
    if len(rows) > MAX_IMPORT_ROWS:
        problems.append(ImportProblem(1, "", f"{len(rows)} rows is more than {MAX_IMPORT_ROWS}; split the file."))
    if not rows and not problems:
        problems.append(ImportProblem(2, "", "The file has a header but no posts."))
    if problems:
        return ImportReport(problems=tuple(problems))

    tz = workspace.timezone(session)
    channels = {c.name.casefold(): c.id for c in session.exec(select(Channel).where(Channel.active == True))}  # noqa: E712
    rubrics = {r.name.casefold(): r.id for r in session.exec(select(Rubric).where(Rubric.active == True))}  # noqa: E712
    people = {u.username.casefold(): u.id for u in session.exec(select(User).where(User.active == True))}  # noqa: E712
    lookups = {"channel": channels, "rubric": rubrics, "owner": people, "sla_owner": people}
    prepared: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=2):
        if "__extra__" in row:
            problems.append(ImportProblem(number, "", "This row has more cells than the header has columns."))
            continue
        fields, row_problems = _row_fields(session, row, actor=actor, tz=tz, lookups=lookups)
        problems += [ImportProblem(number, column, message) for column, message in row_problems]
        prepared.append(fields)
    if problems:
        return ImportReport(problems=tuple(problems))

    now = utcnow()
    for index, fields in enumerate(prepared, start=1):
        post = Post(**fields, status=PostStatus.draft, created_by_id=actor.id, created_at=now, updated_at=now)
        records.create(session, post, actor=actor, action="post.import")
        if progress is not None and (index % 50 == 0 or index == len(prepared)):
            progress(index / len(prepared))
    return ImportReport(created=len(prepared))


def _row_fields(
    session: Session, row: Mapping[str, str], *, actor: Actor, tz: ZoneInfo, lookups: Mapping[str, Mapping[str, int]]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    for column in IMPORT_COLUMNS:
        if column not in row:
            continue
        raw = _unneutralise(row[column] or "")
        try:
            if column in _REFERENCE_COLUMNS:
                name = raw.strip()
                if not name:
                    if column == "channel":
                        raise ValidationError("The channel is empty; every post needs one.")
                    fields[_REFERENCE_COLUMNS[column]] = actor.id if column == "owner" else None
                    continue
                ident = lookups[column].get(name.casefold())
                if ident is None:
                    choices = ", ".join(sorted(lookups[column])) if column in ("channel", "rubric") else "a username"
                    raise ValidationError(f"No {column.replace('_', ' ')} called {name!r} (expected {choices}).")
                if column == "owner" and ident != actor.id and not allowed(actor, Action.edit_any_post):
                    raise ValidationError(
                        f"You can import only posts you own; leave the owner empty or write {actor.username!r}."
                    )
                fields[_REFERENCE_COLUMNS[column]] = ident
            elif column == "scheduled_at":
                fields["scheduled_at"] = rules.parse_local_datetime(raw, tz) if raw.strip() else None
            elif column in _BOOL_FIELDS:
                fields[column] = _parse_bool(raw)
            elif column in ("format", "cognitive_load"):
                fields[column] = raw.strip().lower() or ("text" if column == "format" else CognitiveLoad.low)
            else:
                fields[column] = raw
        except ValidationError as error:
            problems.append((column, str(error)))
    if problems:
        return fields, problems
    fields.setdefault("owner_id", actor.id)
    try:
        fields = _clean_fields(session, fields, actor=actor, current=None)
    except FieldProblems as error:
        problems += [(_FIELD_TO_COLUMN.get(name, name), message) for name, message in error.problems.items()]
    except (ValidationError, PermissionDenied) as error:
        problems.append(("", str(error)))
    return fields, problems


def import_metrics_csv(
    session: Session, *, actor: Actor, text: str, progress: Callable[[float], None] | None = None
) -> ImportReport:
    """Set published posts' metrics from CSV (a ``post_id`` or ``id`` column plus metric columns;
    empty cells leave a figure as it is). All or nothing, with every bad row and column named."""
    require(actor, Action.enter_post_metrics)
    header, rows = _read_csv(text)
    problems: list[ImportProblem] = []
    id_column = "post_id" if "post_id" in header else "id" if "id" in header else None
    if id_column is None:
        problems.append(
            ImportProblem(1, "post_id", "The column 'post_id' (or 'id' from a calendar export) is missing.")
        )
    metric_columns = [c for c in header if c in METRIC_FIELDS]
    if not metric_columns:
        problems.append(ImportProblem(1, "", f"No metric columns; use any of: {', '.join(METRIC_FIELDS)}."))
    problems.extend(
        ImportProblem(1, name, f"Unknown column {name!r}.")
        for name in header
        if name not in METRIC_FIELDS and name not in EXPORT_COLUMNS and name != "post_id"
    )
    if problems:
        return ImportReport(problems=tuple(problems))

    updates: list[tuple[Post, dict[str, int | None]]] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):
        raw_id = (row.get(id_column) or "").strip()  # type: ignore[arg-type]
        try:
            post_id = int(raw_id)
        except ValueError:
            problems.append(ImportProblem(number, id_column, f"{raw_id!r} is not a post number."))  # type: ignore[arg-type]
            continue
        if post_id in seen:
            problems.append(ImportProblem(number, id_column, f"Post #{post_id} is already in row {seen[post_id]}."))  # type: ignore[arg-type]
            continue
        seen[post_id] = number
        post = session.get(Post, post_id)
        if post is None:
            problems.append(ImportProblem(number, id_column, f"There is no post #{post_id}."))  # type: ignore[arg-type]
            continue
        if post.status != PostStatus.published:
            problems.append(
                ImportProblem(
                    number,
                    id_column,
                    f"Post #{post_id} is {rules.STATUS_LABELS[post.status].lower()}, not published; metrics come after publishing.",
                )
            )  # type: ignore[arg-type]
            continue
        changes: dict[str, int | None] = {}
        for column in metric_columns:
            if not (row.get(column) or "").strip():
                continue
            try:
                changes[column] = _clean_metric(column, row[column])
            except ValidationError as error:
                problems.append(ImportProblem(number, column, str(error)))
        try:
            _check_metric_consistency({**{n: getattr(post, n) for n in METRIC_FIELDS}, **changes})
        except ValidationError as error:
            problems.append(ImportProblem(number, "next_step_conversions", str(error)))
        if changes:
            updates.append((post, changes))
    if problems:
        return ImportReport(problems=tuple(problems))
    for index, (post, changes) in enumerate(updates, start=1):
        records.update_versioned(
            session,
            Post,
            post.id,
            expected_version=post.version,
            changes={**changes, "updated_at": utcnow()},
            actor=actor,
            action="post.metrics_import",
        )  # type: ignore[arg-type]
        if progress is not None and (index % 50 == 0 or index == len(updates)):
            progress(index / len(updates))
    return ImportReport(updated=len(updates))


# --- iCalendar -------------------------------------------------------------------------------

ICS_EVENT_MINUTES = 30


def post_uid(post_id: int) -> str:
    """The .ics UID of a post: the same on every export, so calendar apps update, not duplicate."""
    return f"post-{post_id}@dialog-desk"


def export_ics(
    session: Session, *, actor: Actor, start: dt.datetime, end: dt.datetime, filters: PostFilter = PostFilter()
) -> bytes:
    """Scheduled and published posts of [start, end) as an iCalendar file (times in UTC)."""
    require(actor, Action.view_calendar)
    info = workspace.info(session)
    statement = (
        select(Post, Channel.name, Rubric.name)
        .join(Channel, Channel.id == Post.channel_id)
        .outerjoin(Rubric, Rubric.id == Post.rubric_id)
        .where(col(Post.status).in_((PostStatus.scheduled, PostStatus.published)))
    )
    statement = _filtered(_in_window(statement, start, end), filters).order_by(col(Post.scheduled_at), col(Post.id))
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Dialog Desk//Content calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{info.name} — content calendar")
    for post, channel, rubric in session.exec(statement):
        begins = post.scheduled_at.astimezone(UTC)  # type: ignore[union-attr]
        event = icalendar.Event()
        event.add("uid", post_uid(post.id))  # type: ignore[arg-type]
        event.add("dtstamp", post.updated_at.astimezone(UTC))
        event.add("dtstart", begins)
        event.add("dtend", begins + dt.timedelta(minutes=ICS_EVENT_MINUTES))
        event.add("summary", f"[{channel}] {post.title}")
        lines = [post.body.strip()] if post.body.strip() else []
        if post.next_step_text:
            lines.append(
                f"Next step ({rules.NEXT_STEP_LABELS.get(post.next_step_type, post.next_step_type)}): {post.next_step_text}"
            )
        if post.micro_goal:
            lines.append(f"Goal: {post.micro_goal}")
        lines.append(f"Status: {rules.STATUS_LABELS[post.status]}")
        event.add("description", "\n\n".join(lines))
        if rubric:
            event.add("categories", [rubric])
        if post.link_url:
            event.add("url", post.link_url)
        event.add("status", "CONFIRMED")
        event.add("sequence", post.version)
        calendar.add_component(event)
    return calendar.to_ical()


# --- content rules management (lead/admin) ---------------------------------------------------


def list_stop_words(session: Session) -> list[StopWordView]:
    return [StopWordView(w.id, w.word, w.mode) for w in session.exec(select(StopWord).order_by(col(StopWord.word)))]  # type: ignore[arg-type]


def _clean_mode(mode: str) -> str:
    if mode not in tuple(StopWordMode):
        raise ValidationError("A stop word either blocks publication ('block') or warns ('warn').")
    return mode


def add_stop_word(session: Session, *, actor: Actor, word: str, mode: str = StopWordMode.warn) -> StopWordView:
    require(actor, Action.manage_content_rules)
    word = " ".join((word or "").split())
    if not word:
        raise ValidationError("Type the word or phrase to watch for.")
    if len(word) > 80:
        raise ValidationError("Keep a stop word to 80 characters.")
    folded = word.casefold()
    if any(w.word.casefold() == folded for w in session.exec(select(StopWord))):
        raise ValidationError(f"{word!r} is on the list already; change its mode instead.")
    row = records.create(session, StopWord(word=word, mode=_clean_mode(mode)), actor=actor, action="stop_word.create")
    return StopWordView(row.id, row.word, row.mode)  # type: ignore[arg-type]


def set_stop_word_mode(session: Session, *, actor: Actor, stop_word_id: int, mode: str) -> StopWordView:
    require(actor, Action.manage_content_rules)
    row = records.get_or_404(session, StopWord, stop_word_id, what="Stop word")
    before = audit.snapshot(row)
    row.mode = _clean_mode(mode)
    session.add(row)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action="stop_word.update",
        entity="stop_word",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row),
    )
    return StopWordView(row.id, row.word, row.mode)  # type: ignore[arg-type]


def remove_stop_word(session: Session, *, actor: Actor, stop_word_id: int) -> None:
    require(actor, Action.manage_content_rules)
    row = records.get_or_404(session, StopWord, stop_word_id, what="Stop word")
    records.delete(session, row, actor=actor, action="stop_word.delete")


def list_rubrics(session: Session) -> list[RubricView]:
    return [_rubric_view(r) for r in workspace.list_rubrics(session, include_inactive=True)]


def add_rubric(session: Session, *, actor: Actor, name: str, description: str = "") -> RubricView:
    require(actor, Action.manage_content_rules)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("A rubric needs a name.")
    if len(name) > 80:
        raise ValidationError("Keep a rubric's name to 80 characters.")
    if session.exec(select(Rubric.id).where(func.lower(Rubric.name) == name.lower())).first() is not None:
        raise ValidationError(f"A rubric called {name!r} exists already.")
    row = records.create(
        session,
        Rubric(name=name, description=(description or "").strip(), builtin=False),
        actor=actor,
        action="rubric.create",
    )
    return _rubric_view(row)


def set_rubric_active(session: Session, *, actor: Actor, rubric_id: int, active: bool) -> RubricView:
    """Archive a rubric (its posts keep it; new posts can't pick it) or bring it back."""
    require(actor, Action.manage_content_rules)
    row = records.get_or_404(session, Rubric, rubric_id, what="Rubric")
    before = audit.snapshot(row)
    row.active = bool(active)
    session.add(row)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action="rubric.update",
        entity="rubric",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row),
    )
    return _rubric_view(row)


def set_daily_limit(
    session: Session, *, actor: Actor, channel_id: int, expected_version: int, limit: int
) -> workspace.ChannelView:
    """A channel's anti-spam limit: how many posts may go out per local day."""
    require(actor, Action.manage_content_rules)
    if int(limit) < 1:
        raise ValidationError("The daily post limit must be at least 1.")
    records.update_versioned(
        session,
        Channel,
        channel_id,
        expected_version=expected_version,
        changes={"daily_post_limit": int(limit)},
        actor=actor,
        action="channel.daily_limit",
    )
    return next(c for c in workspace.list_channels(session, include_inactive=True) if c.id == channel_id)


def set_rhythm_limit(session: Session, *, actor: Actor, expected_version: int, limit: int) -> workspace.WorkspaceInfo:
    """How many high-load posts in a row a channel may get before the rhythm guard warns."""
    require(actor, Action.manage_content_rules)
    return workspace.update_settings(
        session, actor=actor, expected_version=expected_version, high_load_run_limit=int(limit)
    )
