"""'You asked, we did': loop items from shipped ideas to the announcement, thanked givers,
the monthly "What we implemented" update, the public idea board and the measured impact.

A loop item answers one or more ideas; its givers are the deduplicated union of those ideas'
givers (including ideas merged into them, as ``core.ideas.givers`` returns them). Its status only
moves forward — shipped → announced → thanked → measured — and only with the events:

- announced: the announcement post was published (the calendar calls ``on_post_published``);
- thanked: every giver is ticked as thanked;
- measured: the impact was recorded (NPS before and after entered, or the conversation counts
  recorded once the after-window is over).

An event that comes early (all givers thanked before the post went out) is kept and counted
when its turn comes. Impact is either NPS before/after, or the number of conversations in the
linked categories in the N whole local days before vs after the shipped day (the shipped day
itself mixes both and is left out), counted in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from core import content_rules, ideas, posts, records, workspace
from core.errors import ConflictError, NotFoundError, ValidationError
from core.permissions import Action, Actor, require
from core.text import escape_markdown
from db.models import (
    Channel,
    Conversation,
    Idea,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    LoopStatus,
    LoopThanks,
    Post,
    PostStatus,
    User,
    Vote,
)
from db.types import utcnow

RUBRIC = "You asked, we did"
DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 365
LIST_LIMIT = 50
NEXT_STEP_TEXT = "What should we improve next? Tell us in the idea form."
NO_CHANNEL = "No channel"

# --- status: forward only ---------------------------------------------------------------------

STATUS_ORDER: tuple[LoopStatus, ...] = (
    LoopStatus.shipped,
    LoopStatus.announced,
    LoopStatus.thanked,
    LoopStatus.measured,
)
OPEN_STATUSES = (LoopStatus.shipped.value, LoopStatus.announced.value)
STATUS_LABELS = {
    LoopStatus.shipped: "shipped",
    LoopStatus.announced: "announced",
    LoopStatus.thanked: "givers thanked",
    LoopStatus.measured: "impact measured",
}


def status_rank(status: str) -> int:
    return STATUS_ORDER.index(LoopStatus(status))


def advance_status(current: str, *, announced: bool, all_thanked: bool, measured: bool) -> LoopStatus:
    """The status a loop item has reached given the events so far; never lower than ``current``.

    Each step needs the ones before it: thanked needs announced, measured needs thanked.
    """
    reached = LoopStatus.shipped
    if announced:
        reached = LoopStatus.announced
        if all_thanked:
            reached = LoopStatus.thanked
            if measured:
                reached = LoopStatus.measured
    return max(LoopStatus(current), reached, key=status_rank)


# --- impact (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    """A loop item's before/after figure. ``kind`` is "nps", "conversations", or "none" when
    nothing to measure is set; ``measured`` is True once the figure is complete (both NPS values
    entered, or the after-window of the conversation count is over)."""

    kind: str
    before: float | None
    after: float | None
    change: float | None
    measured: bool
    window_days: int = DEFAULT_WINDOW_DAYS
    categories: tuple[str, ...] = ()
    complete_on: dt.date | None = None  # conversations: the first day the after-window is over

    @property
    def change_share(self) -> float | None:
        """The change relative to before (0.25 = +25 %); None when before is 0 or missing."""
        if self.change is None or not self.before:
            return None
        return self.change / self.before

    @property
    def summary(self) -> str:
        if self.kind == "none":
            return "nothing to measure set"
        if self.kind == "nps":
            if self.before is None or self.after is None:
                return "NPS: enter both the value before and after"
            return f"NPS {_number(self.before)} → {_number(self.after)} ({_signed(self.change)})"
        topic = ", ".join(self.categories)
        counted = f"conversations about {topic}: {_number(self.before)} → {_number(self.after)} in the {self.window_days} days before / after"
        share = self.change_share
        change = _signed(self.change) + (f", {share:+.0%}" if share is not None else "")
        if not self.measured:
            return f"{counted} (so far; complete on {self.complete_on:%d %b %Y})"
        return f"{counted} ({change})"


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:+g}"


def parse_categories(text: str | Iterable[str]) -> tuple[str, ...]:
    """Categories from a comma-separated text (or a list): trimmed, deduplicated, in order."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    seen: dict[str, None] = {}
    for part in parts:
        name = part.strip()
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


def impact_windows(
    shipped_on: dt.date, days: int, tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
    """UTC instants [before_start, before_end) and [after_start, after_end): the ``days`` whole
    local days before the shipped day and the ``days`` whole local days after it."""

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)

    return (
        midnight(shipped_on - dt.timedelta(days=days)),
        midnight(shipped_on),
        midnight(shipped_on + dt.timedelta(days=1)),
        midnight(shipped_on + dt.timedelta(days=days + 1)),
    )


def nps_impact(before: float | None, after: float | None) -> Impact:
    measured = before is not None and after is not None
    return Impact("nps", before, after, (after - before) if measured else None, measured)  # type: ignore[operator]


def conversation_impact(
    before: int, after: int, *, shipped_on: dt.date, days: int, categories: Sequence[str], today: dt.date
) -> Impact:
    complete_on = shipped_on + dt.timedelta(days=days + 1)
    return Impact(
        "conversations", before, after, after - before, today >= complete_on, days, tuple(categories), complete_on
    )


def validate_nps(value: float | None, label: str) -> float | None:
    if value is None:
        return None
    if not -100 <= value <= 100:
        raise ValidationError(f"NPS {label} must be between -100 and 100 (you entered {value:g}).")
    return float(value)


def validate_window(days: int) -> int:
    if not 1 <= int(days) <= MAX_WINDOW_DAYS:
        raise ValidationError(f"The impact window must be 1 to {MAX_WINDOW_DAYS} days (you entered {days}).")
    return int(days)


# --- texts (pure) -----------------------------------------------------------------------------


def announcement_text(
    *, what_changed: str, details: str, idea_titles: Sequence[str], handles: Sequence[str], idea_form_url: str = ""
) -> tuple[str, str]:
    """Title and body of the 'You asked, we did' post: what changed, the ideas it answers, the
    givers credited by handle, and the next step (tell us what to improve next)."""
    title = f"You asked, we did: {what_changed}"
    if len(title) > 200:
        title = title[:199] + "…"
    lines = [f"You asked, we did: {what_changed}."]
    if details.strip():
        lines += ["", details.strip()]
    if idea_titles:
        lines += ["", "It started with your ideas: " + "; ".join(f"“{t}”" for t in idea_titles) + "."]
    lines.append("")
    if handles:
        lines.append(f"Thank you {_join(handles)} — you gave us the idea.")
    else:
        lines.append("Thank you to everyone who asked for it.")
    lines += ["", NEXT_STEP_TEXT + (f" {idea_form_url}" if idea_form_url else "")]
    return title, "\n".join(lines)


def thank_you_reply(
    *, handles: Sequence[str], what_changed: str, idea_titles: Sequence[str], idea_form_url: str = ""
) -> str:
    """A ready-to-copy reply thanking the givers of one channel."""
    asked = (
        f" You asked for “{idea_titles[0]}”"
        + (f" and {len(idea_titles) - 1} more" if len(idea_titles) > 1 else "")
        + "."
        if idea_titles
        else ""
    )
    greeting = " ".join(handles) + " " if handles else ""
    text = f"{greeting}Thank you for the idea!{asked} It is done: {what_changed}."
    return (
        text
        + " What should we improve next? Tell us in the idea form"
        + (f": {idea_form_url}" if idea_form_url else ".")
    )


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# User text shown literally in Markdown (one rule for every screen).
markdown_escape = escape_markdown


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


# --- read models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedIdea:
    id: int
    title: str
    status: str
    category: str
    votes: int


@dataclass(frozen=True)
class Giver:
    handle: str
    channel_id: int | None
    channel: str
    thanked: bool
    thanked_by: str
    thanked_at: dt.datetime | None


@dataclass(frozen=True)
class LoopItemView:
    id: int
    what_changed: str
    details: str
    shipped_on: dt.date
    status: str
    version: int
    ideas: tuple[LinkedIdea, ...]
    givers_count: int
    thanked_count: int
    announcement_post_id: int | None
    announcement_title: str
    announcement_status: str
    announced_at: dt.datetime | None
    nps_before: float | None
    nps_after: float | None
    impact_categories: tuple[str, ...]
    impact_window_days: int
    measured_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[LoopStatus(self.status)]

    @property
    def announced(self) -> bool:
        return self.announced_at is not None

    @property
    def all_thanked(self) -> bool:
        return self.thanked_count >= self.givers_count

    @property
    def is_open(self) -> bool:
        """Open until announced and every giver thanked."""
        return self.status in OPEN_STATUSES

    @property
    def can_draft_announcement(self) -> bool:
        return self.announcement_post_id is None or self.announcement_status == PostStatus.cancelled


@dataclass(frozen=True)
class IdeaChoice:
    """An idea offered for a new loop item."""

    id: int
    title: str
    status: str
    category: str
    shipped_at: dt.datetime | None
    version: int


@dataclass(frozen=True)
class MonthlyItem:
    loop_item_id: int
    what_changed: str
    details: str
    shipped_on: dt.date
    ideas: tuple[LinkedIdea, ...]
    givers_count: int
    impact: Impact


@dataclass(frozen=True)
class MonthlyUpdate:
    month: dt.date
    items: tuple[MonthlyItem, ...]
    markdown: str
    text: str  # the same without Markdown escapes, for a post body

    @property
    def title(self) -> str:
        return monthly_title(self.month)

    @property
    def file_name(self) -> str:
        return f"what-we-implemented-{self.month:%Y-%m}.md"


# --- loop items: reading ----------------------------------------------------------------------


def _tz(session: Session) -> ZoneInfo:
    return workspace.timezone(session)


def _linked_ideas(session: Session, loop_item_ids: Sequence[int]) -> dict[int, list[LinkedIdea]]:
    if not loop_item_ids:
        return {}
    votes = select(Vote.idea_id, func.count().label("votes")).group_by(Vote.idea_id).subquery()
    rows = session.exec(
        select(
            LoopItemIdea.loop_item_id, Idea.id, Idea.title, Idea.status, Idea.category, func.coalesce(votes.c.votes, 0)
        )
        .join(Idea, Idea.id == LoopItemIdea.idea_id)
        .outerjoin(votes, votes.c.idea_id == Idea.id)
        .where(col(LoopItemIdea.loop_item_id).in_(loop_item_ids))
        .order_by(col(Idea.title))
    ).all()
    linked: dict[int, list[LinkedIdea]] = {}
    for loop_item_id, idea_id, title, status, category, vote_count in rows:
        linked.setdefault(loop_item_id, []).append(LinkedIdea(idea_id, title, status, category, int(vote_count)))
    return linked


def _giver_handles(session: Session, idea_ids: Sequence[int]) -> list[tuple[str, int | None]]:
    return list(ideas.givers(session, list(idea_ids))) if idea_ids else []


def _thanked_handles(session: Session, loop_item_id: int) -> set[str]:
    return set(session.exec(select(LoopThanks.handle).where(LoopThanks.loop_item_id == loop_item_id)).all())


def _view(session: Session, item: LoopItem, linked: list[LinkedIdea]) -> LoopItemView:
    handles = {h for h, _ in _giver_handles(session, [i.id for i in linked])}
    thanked = _thanked_handles(session, item.id) & handles  # type: ignore[arg-type]
    post_title, post_status = "", ""
    if item.announcement_post_id is not None:
        row = session.exec(select(Post.title, Post.status).where(Post.id == item.announcement_post_id)).first()
        if row is not None:
            post_title, post_status = row
    return LoopItemView(
        id=item.id,  # type: ignore[arg-type]
        what_changed=item.what_changed,
        details=item.details,
        shipped_on=item.shipped_on,
        status=item.status,
        version=item.version,
        ideas=tuple(linked),
        givers_count=len(handles),
        thanked_count=len(thanked),
        announcement_post_id=item.announcement_post_id,
        announcement_title=post_title,
        announcement_status=post_status,
        announced_at=item.announced_at,
        nps_before=item.nps_before,
        nps_after=item.nps_after,
        impact_categories=parse_categories(item.impact_categories),
        impact_window_days=item.impact_window_days,
        measured_at=item.measured_at,
        created_at=item.created_at,
    )


def _views(session: Session, items: Sequence[LoopItem]) -> list[LoopItemView]:
    linked = _linked_ideas(session, [i.id for i in items])  # type: ignore[misc]
    return [_view(session, item, linked.get(item.id, [])) for item in items]  # type: ignore[arg-type]


def get_loop_item(session: Session, loop_item_id: int) -> LoopItemView:
    item = records.get_or_404(session, LoopItem, loop_item_id, what="Loop item")
    return _views(session, [item])[0]


def open_loops(session: Session, *, limit: int = LIST_LIMIT) -> list[LoopItemView]:
    """Loop items not announced yet, or announced with givers still to thank; oldest shipped first."""
    items = session.exec(
        select(LoopItem)
        .where(col(LoopItem.status).in_(OPEN_STATUSES))
        .order_by(col(LoopItem.shipped_on), col(LoopItem.id))
        .limit(limit)
    ).all()
    return _views(session, list(items))


def closed_loops(session: Session, *, limit: int = LIST_LIMIT, offset: int = 0) -> list[LoopItemView]:
    """Loop items announced with every giver thanked, newest announcement first (a timeline).
    A giver added to one of its ideas later does not reopen it: the status never goes back."""
    items = session.exec(
        select(LoopItem)
        .where(col(LoopItem.status).notin_(OPEN_STATUSES))
        .order_by(col(LoopItem.announced_at).desc(), col(LoopItem.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return _views(session, list(items))


def recent_loop_items(session: Session, *, limit: int = LIST_LIMIT) -> list[LoopItemView]:
    """Every loop item, newest shipped first (for the impact view)."""
    items = session.exec(
        select(LoopItem).order_by(col(LoopItem.shipped_on).desc(), col(LoopItem.id).desc()).limit(limit)
    ).all()
    return _views(session, list(items))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(select(LoopItem.status, func.count()).group_by(LoopItem.status)).all()
    counts = {s.value: 0 for s in STATUS_ORDER}
    counts.update({status: int(n) for status, n in rows})
    return counts


def givers(session: Session, *, loop_item_id: int) -> list[Giver]:
    """The loop item's givers (deduplicated union over its ideas) with who thanked them, when."""
    records.get_or_404(session, LoopItem, loop_item_id, what="Loop item")
    idea_ids = list(session.exec(select(LoopItemIdea.idea_id).where(LoopItemIdea.loop_item_id == loop_item_id)).all())
    pairs = _giver_handles(session, idea_ids)
    channel_names = dict(session.exec(select(Channel.id, Channel.name)).all())
    thanks = {
        handle: (name or username or "", at)
        for handle, at, name, username in session.exec(
            select(LoopThanks.handle, LoopThanks.thanked_at, User.name, User.username)
            .outerjoin(User, User.id == LoopThanks.thanked_by_id)
            .where(LoopThanks.loop_item_id == loop_item_id)
        ).all()
    }
    result = []
    for handle, channel_id in sorted(pairs, key=lambda p: p[0].lower()):
        by, at = thanks.get(handle, ("", None))
        result.append(Giver(handle, channel_id, channel_names.get(channel_id, NO_CHANNEL), handle in thanks, by, at))
    return result


def thank_you_replies(session: Session, *, loop_item_id: int, idea_form_url: str = "") -> dict[str, str]:
    """One ready-to-copy thank-you reply per channel, naming that channel's givers."""
    view = get_loop_item(session, loop_item_id)
    by_channel: dict[str, list[str]] = {}
    for giver in givers(session, loop_item_id=loop_item_id):
        by_channel.setdefault(giver.channel, []).append(giver.handle)
    titles = [i.title for i in view.ideas]
    return {
        channel: thank_you_reply(
            handles=handles, what_changed=view.what_changed, idea_titles=titles, idea_form_url=idea_form_url
        )
        for channel, handles in sorted(by_channel.items())
    }


def shipped_ideas_without_loop_item(session: Session, *, limit: int = 200) -> list[IdeaChoice]:
    """Shipped ideas (not merged away) that no loop item answers yet: loops still to open."""
    linked = select(LoopItemIdea.idea_id).where(LoopItemIdea.idea_id == Idea.id)
    rows = session.exec(
        select(Idea)
        .where(Idea.status == IdeaStatus.shipped, col(Idea.merged_into_id).is_(None), ~linked.exists())
        .order_by(col(Idea.shipped_at).desc(), col(Idea.id).desc())
        .limit(limit)
    ).all()
    return [IdeaChoice(i.id, i.title, i.status, i.category, i.shipped_at, i.version) for i in rows]  # type: ignore[arg-type]


def ideas_to_ship(session: Session, *, limit: int = 200) -> list[IdeaChoice]:
    """In-progress ideas (not merged away, not answered yet): shipping them here opens their loop."""
    linked = select(LoopItemIdea.idea_id).where(LoopItemIdea.idea_id == Idea.id)
    rows = session.exec(
        select(Idea)
        .where(Idea.status == IdeaStatus.in_progress, col(Idea.merged_into_id).is_(None), ~linked.exists())
        .order_by(col(Idea.title))
        .limit(limit)
    ).all()
    return [IdeaChoice(i.id, i.title, i.status, i.category, i.shipped_at, i.version) for i in rows]  # type: ignore[arg-type]


def conversation_categories(session: Session, *, limit: int = 200) -> list[str]:
    """Categories in use (conversations and ideas), to choose the impact categories from."""
    names = set(
        session.exec(select(Conversation.category).where(Conversation.category != "").distinct().limit(limit)).all()
    )
    names |= set(session.exec(select(Idea.category).where(Idea.category != "").distinct().limit(limit)).all())
    return sorted(names)


# --- loop items: writing ----------------------------------------------------------------------


def create_loop_item(
    session: Session,
    *,
    actor: Actor,
    what_changed: str,
    shipped_on: dt.date,
    idea_ids: Sequence[int],
    details: str = "",
    impact_categories: str | Sequence[str] | None = None,
    impact_window_days: int = DEFAULT_WINDOW_DAYS,
    idea_versions: Mapping[int, int] | None = None,
) -> LoopItemView:
    """Open a loop for one or more ideas. Ideas not shipped yet are marked shipped on the way
    (``idea_versions`` holds the version of each as the user loaded it). The impact categories
    default to the ideas' categories."""
    require(actor, Action.manage_loop)
    what_changed = " ".join(what_changed.split())
    if not what_changed:
        raise ValidationError("Say in a few words what changed (e.g. “Dark mode is live in the app”).")
    if len(what_changed) > 300:
        raise ValidationError(f"“What changed” is {len(what_changed)} characters; keep it to 300.")
    if not isinstance(shipped_on, dt.date):
        raise ValidationError("Choose the date it shipped.")
    today = dt.datetime.now(_tz(session)).date()
    if shipped_on > today:
        raise ValidationError(
            f"The shipped date {shipped_on:%d %b %Y} is in the future; loop items are for what has shipped."
        )
    window = validate_window(impact_window_days)
    unique_ids = list(dict.fromkeys(int(i) for i in idea_ids))
    if not unique_ids:
        raise ValidationError("Choose at least one idea this change answers.")
    chosen = {i.id: i for i in session.exec(select(Idea).where(col(Idea.id).in_(unique_ids))).all()}
    for idea_id in unique_ids:
        idea = chosen.get(idea_id)
        if idea is None:
            raise NotFoundError(f"Idea #{idea_id} does not exist (any more).")
        if idea.merged_into_id is not None:
            raise ValidationError(
                f"“{idea.title}” was merged into idea #{idea.merged_into_id}; link that idea instead."
            )
        answered = session.exec(select(LoopItemIdea.loop_item_id).where(LoopItemIdea.idea_id == idea_id)).first()
        if answered is not None:
            raise ValidationError(f"“{idea.title}” is already answered by loop item #{answered}.")
    versions = dict(idea_versions or {})
    for idea_id in unique_ids:
        idea = chosen[idea_id]
        if idea.status != IdeaStatus.shipped:
            ideas.set_status(
                session,
                actor=actor,
                idea_id=idea_id,
                status=IdeaStatus.shipped.value,
                expected_version=versions.get(idea_id, idea.version),
                reason=f"Shipped: {what_changed}",
            )
    if impact_categories is None:
        categories = parse_categories(chosen[i].category for i in unique_ids)
    else:
        categories = parse_categories(impact_categories)
    categories_text = ", ".join(categories)
    if len(categories_text) > 300:
        raise ValidationError("Too many impact categories; keep the list under 300 characters.")
    item = LoopItem(
        what_changed=what_changed,
        details=details.strip(),
        shipped_on=shipped_on,
        impact_categories=categories_text,
        impact_window_days=window,
        created_by_id=actor.id,
    )
    records.create(session, item, actor=actor, action="loop_item.create")
    for idea_id in unique_ids:
        session.add(LoopItemIdea(loop_item_id=item.id, idea_id=idea_id))  # type: ignore[arg-type]
    session.flush()
    return get_loop_item(session, item.id)  # type: ignore[arg-type]


def update_loop_item(
    session: Session,
    *,
    actor: Actor,
    loop_item_id: int,
    expected_version: int,
    what_changed: str,
    details: str,
    shipped_on: dt.date,
) -> LoopItemView:
    """Correct what changed, the details or the shipped date."""
    require(actor, Action.manage_loop)
    what_changed = " ".join(what_changed.split())
    if not what_changed or len(what_changed) > 300:
        raise ValidationError("“What changed” needs 1 to 300 characters.")
    if shipped_on > dt.datetime.now(_tz(session)).date():
        raise ValidationError(f"The shipped date {shipped_on:%d %b %Y} is in the future.")
    records.update_versioned(
        session,
        LoopItem,
        loop_item_id,
        expected_version=expected_version,
        changes={"what_changed": what_changed, "details": details.strip(), "shipped_on": shipped_on},
        actor=actor,
        action="loop_item.update",
    )
    return get_loop_item(session, loop_item_id)


def _advance(
    session: Session, item: LoopItem, *, actor: Actor, changes: Mapping[str, object] | None = None, action: str
) -> LoopItem:
    """Apply ``changes`` and move the status forward as far as the events allow, in one versioned write."""
    changes = dict(changes or {})
    announced_at = changes.get("announced_at", item.announced_at)
    measured_at = changes.get("measured_at", item.measured_at)
    idea_ids = list(session.exec(select(LoopItemIdea.idea_id).where(LoopItemIdea.loop_item_id == item.id)).all())
    handles = {h for h, _ in _giver_handles(session, idea_ids)}
    all_thanked = handles <= _thanked_handles(session, item.id)  # type: ignore[arg-type]
    status = advance_status(
        item.status, announced=announced_at is not None, all_thanked=all_thanked, measured=measured_at is not None
    )
    if status != item.status:
        changes["status"] = status.value
    if not changes:
        return item
    return records.update_versioned(
        session, LoopItem, item.id, expected_version=item.version, changes=changes, actor=actor, action=action
    )  # type: ignore[arg-type]


def on_post_published(session: Session, *, post: Post, actor: Actor) -> None:
    """Mark loop items whose announcement this post is as announced (called by the calendar)."""
    published_at = getattr(post, "published_at", None) or utcnow()
    items = session.exec(
        select(LoopItem).where(LoopItem.announcement_post_id == post.id, col(LoopItem.announced_at).is_(None))
    ).all()
    for item in items:
        _advance(session, item, actor=actor, changes={"announced_at": published_at}, action="loop_item.announced")


def draft_announcement(
    session: Session,
    *,
    actor: Actor,
    loop_item_id: int,
    channel_id: int,
    expected_version: int,
    idea_form_url: str = "",
):
    """Draft the 'You asked, we did' post in the calendar for this loop item (a normal draft:
    checklist and approval apply). Returns the calendar's PostView."""
    require(actor, Action.manage_loop)
    item = records.get_or_404(session, LoopItem, loop_item_id, what="Loop item")
    if item.version != expected_version:
        raise ConflictError(
            "This loop item was changed after you opened it. Nothing was drafted; reload and try again."
        )
    if item.announcement_post_id is not None:
        existing = session.get(Post, item.announcement_post_id)
        if existing is not None and existing.status != PostStatus.cancelled:
            raise ValidationError(
                f"This loop item already has its announcement: post #{existing.id} “{existing.title}” ({existing.status}). "
                "Edit it in the content calendar, or cancel it there to draft a new one."
            )
    channel = session.get(Channel, channel_id)
    if channel is None or not channel.active:
        raise ValidationError("Choose an active channel for the announcement.")
    idea_form_url = idea_form_url.strip()
    if idea_form_url:
        # Tagged here so the draft passes the checklist's UTM item without a detour.
        idea_form_url = content_rules.build_utm_url(
            idea_form_url,
            source=channel.platform or channel.name,
            medium="social",
            campaign="you_asked_we_did",
            content=f"loop{loop_item_id}",
        )
    view = get_loop_item(session, loop_item_id)
    handles = [g.handle for g in givers(session, loop_item_id=loop_item_id)]
    title, body = announcement_text(
        what_changed=view.what_changed,
        details=view.details,
        idea_titles=[i.title for i in view.ideas],
        handles=handles,
        idea_form_url=idea_form_url,
    )
    fields = {
        "title": title,
        "body": body,
        "channel_id": channel.id,
        "rubric_id": posts.rubric_id(session, RUBRIC),
        "next_step_type": "form",
        "next_step_text": NEXT_STEP_TEXT,
        "micro_goal": "New proposals for what to improve next",
    }
    if idea_form_url:
        fields["link_url"] = idea_form_url
    post = posts.create_post(session, actor=actor, fields=fields)
    records.update_versioned(
        session,
        LoopItem,
        loop_item_id,
        expected_version=expected_version,
        changes={"announcement_post_id": post.id},
        actor=actor,
        action="loop_item.announcement_drafted",
    )
    return post


def set_thanked(
    session: Session, *, actor: Actor, loop_item_id: int, handles: Iterable[str], thanked: bool = True
) -> LoopItemView:
    """Tick (or untick) givers as thanked; all givers ticked moves the loop item forward.

    Unticking is refused once the loop item reached "givers thanked": the status never goes back.
    """
    require(actor, Action.thank_givers)
    item = records.get_or_404(session, LoopItem, loop_item_id, what="Loop item")
    wanted = list(dict.fromkeys(h.strip() for h in handles if h.strip()))
    known = {g.handle for g in givers(session, loop_item_id=loop_item_id)}
    unknown = [h for h in wanted if h not in known]
    if unknown:
        raise ValidationError(f"{', '.join(unknown)} did not give any idea of this loop item.")
    already = _thanked_handles(session, loop_item_id)
    if thanked:
        for handle in wanted:
            if handle not in already:
                records.create(
                    session,
                    LoopThanks(loop_item_id=loop_item_id, handle=handle, thanked_by_id=actor.id),
                    actor=actor,
                    action="loop_item.giver_thanked",
                )
        session.flush()
        _advance(session, item, actor=actor, action="loop_item.thanked")
    else:
        to_remove = [h for h in wanted if h in already]
        if to_remove and status_rank(item.status) >= status_rank(LoopStatus.thanked):
            raise ValidationError(
                "Every giver of this loop item was thanked and the loop is closed; ticks can no longer be removed."
            )
        for row in session.exec(
            select(LoopThanks).where(LoopThanks.loop_item_id == loop_item_id, col(LoopThanks.handle).in_(to_remove))
        ).all():
            records.delete(session, row, actor=actor, action="loop_item.giver_unthanked")
        session.flush()
    return get_loop_item(session, loop_item_id)


def set_impact(
    session: Session,
    *,
    actor: Actor,
    loop_item_id: int,
    expected_version: int,
    nps_before: float | None = None,
    nps_after: float | None = None,
    impact_categories: str | Sequence[str] = "",
    impact_window_days: int = DEFAULT_WINDOW_DAYS,
) -> LoopItemView:
    """Set how the impact is measured: NPS before/after, and/or conversation categories and
    the window. Entering both NPS values records the measurement."""
    require(actor, Action.manage_loop)
    changes: dict[str, object] = {
        "nps_before": validate_nps(nps_before, "before"),
        "nps_after": validate_nps(nps_after, "after"),
        "impact_categories": ", ".join(parse_categories(impact_categories)),
        "impact_window_days": validate_window(impact_window_days),
    }
    if len(str(changes["impact_categories"])) > 300:
        raise ValidationError("Too many impact categories; keep the list under 300 characters.")
    item = records.update_versioned(
        session,
        LoopItem,
        loop_item_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action="loop_item.impact_set",
    )
    if item.measured_at is None and nps_before is not None and nps_after is not None:
        _advance(session, item, actor=actor, changes={"measured_at": utcnow()}, action="loop_item.measured")
    return get_loop_item(session, loop_item_id)


def record_measurement(
    session: Session, *, actor: Actor, loop_item_id: int, expected_version: int, today: dt.date | None = None
) -> LoopItemView:
    """Record that the impact was measured (its figure must be complete)."""
    require(actor, Action.manage_loop)
    item = records.get_or_404(session, LoopItem, loop_item_id, what="Loop item")
    if item.version != expected_version:
        raise ConflictError(
            "This loop item was changed after you opened it. Nothing was recorded; reload and try again."
        )
    figure = impact(session, loop_item_id=loop_item_id, today=today)
    if not figure.measured:
        if figure.kind == "none":
            raise ValidationError(
                "Set the impact first: enter NPS before and after, or choose conversation categories."
            )
        if figure.kind == "nps":
            raise ValidationError("Enter both NPS values, before and after, to record the measurement.")
        raise ValidationError(
            f"The {figure.window_days} days after shipping are not over yet; the figure is complete on {figure.complete_on:%d %b %Y}."
        )
    if item.measured_at is not None:
        return get_loop_item(session, loop_item_id)
    _advance(session, item, actor=actor, changes={"measured_at": utcnow()}, action="loop_item.measured")
    return get_loop_item(session, loop_item_id)


# --- impact -----------------------------------------------------------------------------------


def _conversation_counts(
    session: Session, *, categories: Sequence[str], windows: tuple[dt.datetime, ...]
) -> tuple[int, int]:
    """COUNTs before and after, each one range of the (category, received_at) index."""
    before_start, before_end, after_start, after_end = windows

    def count(start: dt.datetime, end: dt.datetime):
        return (
            select(func.count())
            .select_from(Conversation)
            .where(
                col(Conversation.category).in_(list(categories)),
                Conversation.received_at >= start,
                Conversation.received_at < end,
            )
            .scalar_subquery()
        )

    before, after = session.exec(select(count(before_start, before_end), count(after_start, after_end))).one()
    return int(before), int(after)


def _impact_of(session: Session, item: LoopItem, *, today: dt.date, tz: ZoneInfo) -> Impact:
    if item.nps_before is not None or item.nps_after is not None:
        return nps_impact(item.nps_before, item.nps_after)
    categories = parse_categories(item.impact_categories)
    if not categories:
        return Impact("none", None, None, None, False, item.impact_window_days)
    windows = impact_windows(item.shipped_on, item.impact_window_days, tz)
    before, after = _conversation_counts(session, categories=categories, windows=windows)
    return conversation_impact(
        before, after, shipped_on=item.shipped_on, days=item.impact_window_days, categories=categories, today=today
    )


def impact(session: Session, *, loop_item_id: int, today: dt.date | None = None) -> Impact:
    """The loop item's before/after figure: NPS entered, or conversations in its categories in
    the N days before vs after the shipped day (counted in SQL)."""
    item = records.get_or_404(session, LoopItem, loop_item_id, what="Loop item")
    tz = _tz(session)
    return _impact_of(session, item, today=today or dt.datetime.now(tz).date(), tz=tz)


def impacts(session: Session, *, loop_item_ids: Sequence[int], today: dt.date | None = None) -> dict[int, Impact]:
    tz = _tz(session)
    today = today or dt.datetime.now(tz).date()
    items = (
        session.exec(select(LoopItem).where(col(LoopItem.id).in_(list(loop_item_ids)))).all() if loop_item_ids else []
    )
    return {item.id: _impact_of(session, item, today=today, tz=tz) for item in items}  # type: ignore[misc]


def impact_not_measured(
    session: Session, *, today: dt.date | None = None, limit: int = LIST_LIMIT
) -> list[LoopItemView]:
    """Loop items shipped at least their window (30 days by default) ago with no measurement recorded."""
    today = today or dt.datetime.now(_tz(session)).date()
    unmeasured = col(LoopItem.measured_at).is_(None)
    # shipped_on + window <= today without date arithmetic in SQL (it differs per dialect): one
    # exact condition per window length in use — there are only a few.
    windows = session.exec(select(LoopItem.impact_window_days).where(unmeasured).distinct()).all()
    if not windows:
        return []
    due = or_(
        *(
            and_(LoopItem.impact_window_days == days, LoopItem.shipped_on <= today - dt.timedelta(days=days))
            for days in windows
        )
    )
    items = session.exec(
        select(LoopItem).where(unmeasured, due).order_by(col(LoopItem.shipped_on), col(LoopItem.id)).limit(limit)
    ).all()
    return _views(session, list(items))


def measured_items(session: Session, *, limit: int = LIST_LIMIT) -> list[LoopItemView]:
    items = session.exec(
        select(LoopItem)
        .where(col(LoopItem.measured_at).is_not(None))
        .order_by(col(LoopItem.shipped_on).desc())
        .limit(limit)
    ).all()
    return _views(session, list(items))


# --- monthly update ---------------------------------------------------------------------------


def monthly_title(month: dt.date) -> str:
    return f"What we implemented in {month:%B %Y}"


def monthly_document(month: dt.date, items: Sequence[MonthlyItem], *, escape: bool = True) -> str:
    """The 'What we implemented' update for a month, as Markdown (``escape=False``: plain text
    for a post body)."""
    e = markdown_escape if escape else (lambda text: " ".join(str(text).split()))
    lines = [f"# {monthly_title(month)}", ""]
    if not items:
        lines += [f"Nothing shipped in {month:%B %Y}. Your ideas are on the board — tell us what to improve next."]
        return "\n".join(lines) + "\n"
    people = sum(i.givers_count for i in items)
    lines += [
        f"{len(items)} improvement{'s' if len(items) != 1 else ''} shipped this month, answering ideas from {people} "
        f"{'person' if people == 1 else 'people'}. Thank you!",
        "",
    ]
    for n, item in enumerate(items, start=1):
        lines.append(f"## {n}. {e(item.what_changed)}")
        lines.append("")
        lines.append(f"Shipped on {item.shipped_on:%d %B %Y}.")
        if item.details:
            lines += ["", e(item.details)]
        lines.append("")
        for idea in item.ideas:
            lines.append(f"- Idea: “{e(idea.title)}” — {idea.votes} vote{'s' if idea.votes != 1 else ''}")
        lines.append(f"- Idea givers: {item.givers_count}")
        lines.append(f"- Impact: {e(item.impact.summary) if item.impact.kind != 'none' else 'not measured yet'}")
        lines.append("")
    lines.append("What should we improve next? Tell us in the idea form.")
    return "\n".join(lines) + "\n"


def monthly_update(session: Session, *, month: dt.date, today: dt.date | None = None) -> MonthlyUpdate:
    """Exactly the loop items shipped in ``month`` (any day of it), with ideas, votes, givers' count and impact."""
    start = month_start(month)
    items = session.exec(
        select(LoopItem)
        .where(LoopItem.shipped_on >= start, LoopItem.shipped_on < next_month(start))
        .order_by(col(LoopItem.shipped_on), col(LoopItem.id))
    ).all()
    views = _views(session, list(items))
    figures = impacts(session, loop_item_ids=[v.id for v in views], today=today)
    monthly = tuple(
        MonthlyItem(v.id, v.what_changed, v.details, v.shipped_on, v.ideas, v.givers_count, figures[v.id])
        for v in views
    )
    return MonthlyUpdate(
        start, monthly, monthly_document(start, monthly), monthly_document(start, monthly, escape=False)
    )


def draft_monthly_update(session: Session, *, actor: Actor, month: dt.date, channel_id: int):
    """Draft the month's update as a post in the calendar (rubric 'You asked, we did')."""
    require(actor, Action.manage_loop)
    channel = session.get(Channel, channel_id)
    if channel is None or not channel.active:
        raise ValidationError("Choose an active channel for the monthly update.")
    update = monthly_update(session, month=month)
    if not update.items:
        raise ValidationError(f"Nothing shipped in {update.month:%B %Y}; there is no update to draft.")
    return posts.create_post(
        session,
        actor=actor,
        fields={
            "title": update.title,
            "body": update.text,
            "channel_id": channel.id,
            "rubric_id": posts.rubric_id(session, RUBRIC),
            "next_step_type": "form",
            "next_step_text": NEXT_STEP_TEXT,
            "micro_goal": "New proposals for what to improve next",
        },
    )


def months_with_loop_items(session: Session, *, limit: int = 24) -> list[dt.date]:
    """Months (first days) that have loop items, newest first."""
    days = session.exec(select(LoopItem.shipped_on).order_by(col(LoopItem.shipped_on).desc()).limit(2000)).all()
    return list(dict.fromkeys(month_start(d) for d in days))[:limit]
