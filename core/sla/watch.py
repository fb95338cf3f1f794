"""The post a conversation answers, and the post's watch window.

A conversation may belong to a post: set on the screen, given by an import's post column, or
matched from the post's link (a comment's link starts with the link of the post it is on).
Publishing a post opens its **watch window**: the channel's watch hours (48 by default) from the
moment it went out. A conversation on the post received within the window goes to the post's SLA
owner unless someone took it already; after the window it waits in the queues like any other.

The rule is applied where a conversation is stored (``apply_watch`` for one row, ``WatchBook``
for many: an import, the ingest API), and when its post is set later — never in the screens.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core.errors import ValidationError
from core.i18n import _
from core.records import stored_id
from db.models import Channel, Conversation, Post, PostStatus

# --- pure rules ---------------------------------------------------------------------------------


def watch_window_end(published_at: dt.datetime, window_hours: int) -> dt.datetime:
    """The first instant after a post's watch window: [published, published + hours)."""
    return published_at + dt.timedelta(hours=window_hours)


def in_watch_window(*, published_at: dt.datetime | None, window_hours: int, received_at: dt.datetime) -> bool:
    """Whether a conversation received at ``received_at`` falls in the post's watch window
    (from the publication itself up to, not including, its end)."""
    if published_at is None:
        return False
    return published_at <= received_at < watch_window_end(published_at, window_hours)


def watch_assignee(
    *,
    assignee_id: int | None,
    sla_owner_id: int | None,
    published_at: dt.datetime | None,
    window_hours: int,
    received_at: dt.datetime,
) -> int | None:
    """Who a conversation on a post is assigned to: whoever has it already, else the post's SLA
    owner while the watch window is open, else nobody."""
    if assignee_id is not None:
        return assignee_id
    if sla_owner_id is None:
        return None
    if not in_watch_window(published_at=published_at, window_hours=window_hours, received_at=received_at):
        return None
    return sla_owner_id


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_BOUNDARY = "/?#&"


def _comparable(url: str) -> str:
    """A link without its scheme and ``www.``, the host in lower case, no trailing slash."""
    text = _SCHEME.sub("", url.strip())
    host, slash, rest = text.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + rest).rstrip("/")


def link_is_on_post(link: str, post_url: str) -> bool:
    """Whether ``link`` (a comment's) points at the post at ``post_url`` or something on it:
    the same address, or the address followed by a path, a query or a fragment.

    ``https://instagram.com/p/Ab1/c/9`` is on ``https://www.instagram.com/p/Ab1/``;
    ``…/watch?v=ab1&lc=x`` is on ``…/watch?v=ab1``, but ``…/watch?v=ab12`` is not."""
    link_key, post_key = _comparable(link), _comparable(post_url)
    if not link_key or not post_key:
        return False
    if link_key == post_key:
        return True
    return link_key.startswith(post_key) and link_key[len(post_key)] in _BOUNDARY


# --- posts as the SLA sees them -----------------------------------------------------------------


@dataclass(frozen=True)
class WatchedPost:
    """What the watch rule needs of a post."""

    id: int
    channel_id: int
    title: str
    status: str
    published_at: dt.datetime | None
    sla_owner_id: int | None
    window_hours: int

    def assignee(self, *, assignee_id: int | None, received_at: dt.datetime) -> int | None:
        return watch_assignee(
            assignee_id=assignee_id,
            sla_owner_id=self.sla_owner_id,
            published_at=self.published_at,
            window_hours=self.window_hours,
            received_at=received_at,
        )


def _watched(session: Session, post_ids: Iterable[int]) -> dict[int, WatchedPost]:
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Post, Channel.watch_window_hours)
        .join(Channel, col(Channel.id) == col(Post.channel_id))
        .where(col(Post.id).in_(ids))
    ).all()
    return {
        stored_id(p.id): WatchedPost(
            stored_id(p.id), p.channel_id, p.title, p.status, p.published_at, p.sla_owner_id, hours
        )
        for p, hours in rows
    }


def watched_post(session: Session, post_id: int) -> WatchedPost:
    """The post, or a message saying it does not exist."""
    found = _watched(session, [post_id]).get(post_id)
    if found is None:
        raise ValidationError(_("Post #{id} does not exist; pick the post from the list.", id=post_id))
    return found


def check_post_for(post: WatchedPost, *, channel_id: int) -> WatchedPost:
    """A post a conversation on ``channel_id`` may belong to: published, on the same channel."""
    if post.channel_id != channel_id:
        raise ValidationError(
            _(
                "Post #{id} “{title}” is on another channel; a conversation belongs to a post on its own channel.",
                id=post.id,
                title=post.title,
            )
        )
    if post.status != PostStatus.published:
        raise ValidationError(
            _(
                "Post #{id} “{title}” is not published; conversations belong to posts that are out.",
                id=post.id,
                title=post.title,
            )
        )
    return post


class WatchBook:
    """The posts of many conversations, loaded once (an import, the ingest API)."""

    def __init__(self, posts: dict[int, WatchedPost]):
        self.posts = posts

    @classmethod
    def load(cls, session: Session, post_ids: Iterable[int | None]) -> WatchBook:
        return cls(_watched(session, (p for p in post_ids if p is not None)))

    def assignee_for(self, *, post_id: int | None, assignee_id: int | None, received_at: dt.datetime) -> int | None:
        """The assignee a conversation on ``post_id`` is stored with (see ``watch_assignee``)."""
        post = self.posts.get(post_id) if post_id is not None else None
        if post is None:
            return assignee_id
        return post.assignee(assignee_id=assignee_id, received_at=received_at)


def apply_watch(session: Session, conversation: Conversation, *, book: WatchBook | None = None) -> None:
    """Assign a conversation being stored on a post to the post's SLA owner while its watch
    window is open (someone who took it already keeps it)."""
    if conversation.post_id is None:
        return
    book = book or WatchBook.load(session, [conversation.post_id])
    conversation.assignee_id = book.assignee_for(
        post_id=conversation.post_id, assignee_id=conversation.assignee_id, received_at=conversation.received_at
    )


# --- finding a post -------------------------------------------------------------------------------


def posts_on_link(session: Session, *, channel_id: int, link: str) -> list[int]:
    """Published posts of the channel whose own link the conversation's link is on, or whose
    next-step link it equals (several when the link is ambiguous)."""
    if not link.strip():
        return []
    rows = session.exec(
        select(Post.id, Post.published_url, Post.link_url).where(
            col(Post.channel_id) == channel_id, col(Post.status) == PostStatus.published
        )
    ).all()
    on_post = [pid for pid, url, __ in rows if pid is not None and url and link_is_on_post(link, url)]
    if on_post:
        return on_post
    key = _comparable(link)
    return [pid for pid, __, next_step in rows if pid is not None and next_step and _comparable(next_step) == key]


class PostLinks:
    """The published posts of some channels by their own link, loaded once for many conversations
    (an import): which post a conversation's link is on, found without a query per row."""

    def __init__(self, by_key: dict[tuple[int, str], list[int]]):
        self.by_key = by_key

    @classmethod
    def load(cls, session: Session, channel_ids: Iterable[int]) -> PostLinks:
        by_key: dict[tuple[int, str], list[int]] = {}
        ids = sorted(set(channel_ids))
        if ids:
            rows = session.exec(
                select(Post.id, Post.channel_id, Post.published_url).where(
                    col(Post.channel_id).in_(ids),
                    col(Post.status) == PostStatus.published,
                    col(Post.published_url) != "",
                )
            ).all()
            for post_id, channel_id, url in rows:
                key = _comparable(url)
                if key and post_id is not None:
                    by_key.setdefault((channel_id, key), []).append(post_id)
        return cls(by_key)

    def post_for(self, *, channel_id: int, link: str) -> int | None:
        """The one post whose link ``link`` is on (see ``link_is_on_post``), or None when none or
        several are (never a guess)."""
        if not self.by_key or not link.strip():
            return None
        key = _comparable(link)
        found: set[int] = set()
        for end, char in enumerate(key):
            if char in _BOUNDARY:
                found.update(self.by_key.get((channel_id, key[:end]), ()))
        found.update(self.by_key.get((channel_id, key), ()))
        return next(iter(found)) if len(found) == 1 else None


def post_from_link(session: Session, *, channel_id: int, link: str) -> int | None:
    """The one published post a conversation's link belongs to, or None when no post or more
    than one matches (never a guess)."""
    found = posts_on_link(session, channel_id=channel_id, link=link)
    return found[0] if len(found) == 1 else None


def find_post(session: Session, *, channel_id: int, reference: str) -> int:
    """The post a cell or a field names: ``12``, ``#12`` or the post's link. An unknown or
    ambiguous reference is an error saying what to write instead (for the imports too)."""
    text = reference.strip()
    number = text.removeprefix("#")
    if number.isdigit():
        return check_post_for(watched_post(session, int(number)), channel_id=channel_id).id
    found = posts_on_link(session, channel_id=channel_id, link=text)
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            _(
                "No published post of this channel has the link {link!r}; write the post's number (e.g. #12) instead.",
                link=text,
            )
        )
    raise ValidationError(
        _(
            "The link {link!r} fits {count} posts ({posts}); write the post's number instead.",
            link=text,
            count=len(found),
            posts=", ".join(f"#{p}" for p in found),
        )
    )


def post_titles(session: Session, post_ids: Sequence[int]) -> dict[int, str]:
    """Titles of posts by id (for the lists that name a conversation's post)."""
    return {
        stored_id(pid): title
        for pid, title in session.exec(select(Post.id, Post.title).where(col(Post.id).in_(post_ids)))
    }


@dataclass(frozen=True)
class PostChoice:
    id: int
    title: str
    published_at: dt.datetime | None


def recent_posts(session: Session, *, channel_id: int, limit: int = 50) -> list[PostChoice]:
    """The channel's published posts, newest first: what a conversation on it may answer."""
    rows = session.exec(
        select(Post.id, Post.title, Post.published_at)
        .where(col(Post.channel_id) == channel_id, col(Post.status) == PostStatus.published)
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(limit)
    ).all()
    return [PostChoice(stored_id(pid), title, at) for pid, title, at in rows]
