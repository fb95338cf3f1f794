"""Sensitive topics (paper §10): a post marked sensitive needs a visible disclaimer, a link from
the help-path library the team keeps, and a compliance review before it may be approved. A change
to the disclaimer or the help path voids the review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import records
from core.content_plan import rules, status
from core.content_plan.rules import is_web_link
from core.controls import check_text
from core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from core.i18n import _
from core.permissions import Action, Actor, require
from db.models import HelpPath, HelpPathCreate, Post, PostSensitivity, SensitiveTopicSave, User, max_length
from db.types import utcnow

# --- the help-path library -----------------------------------------------------------------------


def help_paths(session: Session, *, include_archived: bool = False) -> tuple[HelpPath, ...]:
    statement = select(HelpPath).order_by(col(HelpPath.title))
    if not include_archived:
        statement = statement.where(col(HelpPath.active))
    return tuple(session.exec(statement))


def _checked(value: str, field: str, what: str, *, required: bool) -> str:
    value = (value or "").strip()
    problem = check_text(value, what) if value else None
    if problem:
        raise ValidationError(problem)
    if required and not value:
        raise ValidationError(_("The field “{field}” is empty: fill it in.", field=what))
    limit = max_length(HelpPath if field != "disclaimer" else PostSensitivity, field)
    if len(value) > limit:
        raise ValidationError(
            _(
                "The field “{field}” has {length} characters; {limit} at most.",
                field=what,
                length=len(value),
                limit=limit,
            )
        )
    return value


def add_help_path(*, session: Session, actor: Actor, path: HelpPathCreate) -> HelpPath:
    require(actor, Action.manage_help_paths)
    title = _checked(path.title, "title", _("help path's name"), required=True)
    url = _checked(path.url, "url", _("link"), required=True)
    if not is_web_link(url):
        raise ValidationError(_("The link must start with https:// or http://."))
    if session.exec(select(HelpPath).where(col(HelpPath.title) == title)).first():
        raise ConflictError(_("The library has a help path called '{title}' already.", title=title))
    row = HelpPath(
        title=title, url=url, when_to_use=_checked(path.when_to_use, "when_to_use", _("note"), required=False)
    )
    return records.create(session, row, actor=actor, action="help_path.create")


def archive_help_path(*, session: Session, actor: Actor, help_path_id: int) -> HelpPath:
    require(actor, Action.manage_help_paths)
    row = records.get_or_404(session, HelpPath, help_path_id, what=_("Help path"))
    return records.update(session, row, {"active": False}, actor=actor, action="help_path.archive")


# --- a post's sensitive topic --------------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    post_id: int
    disclaimer: str
    help_path: str | None  # its title
    help_path_url: str | None
    reviewed_by: str | None
    reviewed_at: object | None


def sensitivity(session: Session, *, post_id: int) -> Sensitivity | None:
    """The post's sensitive-topic details (None when it is not marked sensitive)."""
    row = session.exec(select(PostSensitivity).where(col(PostSensitivity.post_id) == post_id)).first()
    if row is None:
        return None
    path = session.get(HelpPath, row.help_path_id) if row.help_path_id else None
    reviewer = session.get(User, row.reviewed_by_id) if row.reviewed_by_id else None
    return Sensitivity(
        post_id,
        row.disclaimer,
        path.title if path else None,
        path.url if path else None,
        (reviewer.name or reviewer.username) if reviewer else None,
        row.reviewed_at,
    )


def checklist_items(found: Sensitivity | None) -> list[rules.CheckItem]:
    """The checklist lines a sensitive post adds (none for other posts)."""
    if found is None:
        return []
    return [
        rules.CheckItem(
            "sensitive_disclaimer",
            _("Sensitive topic: visible disclaimer"),
            bool(found.disclaimer.strip()),
            _("Written.") if found.disclaimer.strip() else _("Write the disclaimer the post shows."),
        ),
        rules.CheckItem(
            "sensitive_help_path",
            _("Sensitive topic: help-path link"),
            found.help_path is not None,
            _("Links to {path}.", path=found.help_path) if found.help_path else _("Pick a help path from the library."),
        ),
        rules.CheckItem(
            "sensitive_review",
            _("Sensitive topic: compliance review"),
            found.reviewed_at is not None,
            _("Reviewed by {who}.", who=found.reviewed_by)
            if found.reviewed_at
            else _("Ask compliance to review the post."),
        ),
    ]


def _editable(session: Session, actor: Actor, post_id: int) -> Post:
    require(actor, Action.draft_post)
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    if not status.may_edit(actor, post.owner_id):
        raise PermissionDenied(_("You can change only your own posts; ask a lead to change this one."))
    if post.status in status.FINAL or post.status in status.APPROVED:
        raise ValidationError(_("Send the post back to draft first: approved posts keep what was reviewed."))
    return post


def save_sensitive_topic(*, session: Session, actor: Actor, post_id: int, topic: SensitiveTopicSave) -> PostSensitivity:
    """Mark a post as a sensitive topic (or change its disclaimer and help path: the review is then void)."""
    post = _editable(session, actor, post_id)
    disclaimer = _checked(topic.disclaimer, "disclaimer", _("disclaimer"), required=False)
    if topic.help_path_id is not None:
        path = records.get_or_404(session, HelpPath, topic.help_path_id, what=_("Help path"))
        if not path.active:
            raise ValidationError(_("The help path '{title}' is archived: pick another one.", title=path.title))
    row = session.exec(select(PostSensitivity).where(col(PostSensitivity.post_id) == post.id)).first()
    if row is None:
        row = PostSensitivity(
            post_id=post_id, disclaimer=disclaimer, help_path_id=topic.help_path_id, marked_by_id=actor.id
        )
        return records.create(session, row, actor=actor, action="post.mark_sensitive")
    changes: dict[str, object] = {}
    if (row.disclaimer, row.help_path_id) != (disclaimer, topic.help_path_id):
        # A changed disclaimer or help path needs a new review.
        changes = {"disclaimer": disclaimer, "help_path_id": topic.help_path_id}
        changes |= {"reviewed_by_id": None, "reviewed_at": None}
    return records.update(session, row, changes, actor=actor, action="post.sensitive")


def unmark_sensitive(*, session: Session, actor: Actor, post_id: int) -> None:
    _editable(session, actor, post_id)
    row = session.exec(select(PostSensitivity).where(col(PostSensitivity.post_id) == post_id)).first()
    if row is None:
        raise NotFoundError(_("This post is not marked as a sensitive topic."))
    records.delete(session, row, actor=actor, action="post.unmark_sensitive")


def review_sensitive(*, session: Session, actor: Actor, post_id: int) -> PostSensitivity:
    """Compliance has read the sensitive post with its disclaimer and help path."""
    require(actor, Action.review_sensitive)
    row = session.exec(select(PostSensitivity).where(col(PostSensitivity.post_id) == post_id)).first()
    if row is None:
        raise NotFoundError(_("This post is not marked as a sensitive topic."))
    if not row.disclaimer.strip() or row.help_path_id is None:
        raise ValidationError(_("Review it once the disclaimer and the help path are in place."))
    if row.reviewed_at is not None:
        raise ConflictError(_("This post is reviewed already."))
    changes = {"reviewed_by_id": actor.id, "reviewed_at": utcnow()}
    return records.update(session, row, changes, actor=actor, action="post.review_sensitive")
