"""Writes on members: merging two identities of one person (and undoing it exactly), the roles
given by hand (expert, moderator) and the lead's role rules."""

from __future__ import annotations

from sqlalchemy import func, select, union
from sqlmodel import Session, col

from core import records
from core.community import rules
from core.community.members import merge_map
from core.errors import ConflictError, NotFoundError, ValidationError
from core.handles import handle_key
from core.i18n import _
from core.permissions import Action, Actor, require
from db.models import (
    CommunitySettings,
    CommunitySettingsUpdate,
    Conversation,
    IdeaGiver,
    MemberMerge,
    MemberRole,
    MemberRoleGrant,
)


def _known(session: Session, key: str) -> bool:
    people = union(
        select(col(Conversation.author_key).label("k")).where(col(Conversation.author_key) == key),
        select(col(IdeaGiver.handle_key).label("k")).where(col(IdeaGiver.handle_key) == key),
    ).subquery()
    return bool(session.execute(select(func.count()).select_from(people)).scalar_one())


def _member_key(session: Session, text: str) -> str:
    key = handle_key(text)
    if not _known(session, key):
        raise NotFoundError(
            _(
                "Nobody with the handle {handle!r} has written or given an idea yet: check the spelling.",
                handle=text.strip(),
            )
        )
    return key


def merge_identities(*, session: Session, actor: Actor, handle: str, into: str) -> MemberMerge:
    """``handle`` is the same person as ``into``: from now on their activity counts as one member."""
    require(actor, Action.manage_members)
    key, target = _member_key(session, handle), _member_key(session, into)
    roots = merge_map(session)
    if key in roots:
        raise ConflictError(
            _(
                "{handle!r} is already merged into {into!r}; undo that merge first.",
                handle=handle.strip(),
                into=roots[key],
            )
        )
    if roots.get(target, target) == key:
        raise ValidationError(
            _("{handle!r} and {into!r} are already one member.", handle=handle.strip(), into=into.strip())
        )
    return records.create(
        session, MemberMerge(handle_key=key, into_key=target, merged_by_id=actor.id), actor=actor, action="member.merge"
    )


def undo_merge(*, session: Session, actor: Actor, handle: str) -> None:
    """Split ``handle`` off again: everything is as it was before the merge."""
    require(actor, Action.manage_members)
    key = handle_key(handle)
    row = session.scalars(select(MemberMerge).where(col(MemberMerge.handle_key) == key)).first()
    if row is None:
        raise NotFoundError(_("{handle!r} is not merged into anyone.", handle=handle.strip()))
    records.delete(session, row, actor=actor, action="member.unmerge")


def give_role(*, session: Session, actor: Actor, handle: str, role: str) -> MemberRoleGrant:
    """Give a member a role by hand (expert or moderator)."""
    require(actor, Action.manage_members)
    if role not in rules.GIVEN_ROLES:
        raise ValidationError(
            _("Only Expert and Moderator are given by hand; the other roles follow from the member's activity.")
        )
    key = _member_key(session, handle)
    key = merge_map(session).get(key, key)
    if session.scalars(
        select(MemberRoleGrant).where(col(MemberRoleGrant.handle_key) == key, col(MemberRoleGrant.role) == role)
    ).first():
        raise ConflictError(
            _("{handle!r} holds the role {role} already.", handle=handle.strip(), role=_(rules.ROLE_LABELS[role]))
        )
    grant = MemberRoleGrant(handle_key=key, role=MemberRole(role).value, given_by_id=actor.id)
    return records.create(session, grant, actor=actor, action="member.give_role")


def take_role(*, session: Session, actor: Actor, handle: str, role: str) -> None:
    """Take a role given by hand away again."""
    require(actor, Action.manage_members)
    key = handle_key(handle)
    keys = {key, merge_map(session).get(key, key)}
    grant = session.scalars(
        select(MemberRoleGrant).where(col(MemberRoleGrant.handle_key).in_(keys), col(MemberRoleGrant.role) == role)
    ).first()
    if grant is None:
        raise NotFoundError(
            _(
                "{handle!r} does not hold the role {role}.",
                handle=handle.strip(),
                role=_(rules.ROLE_LABELS[role]) if role in rules.ROLE_LABELS else repr(role),
            )
        )
    records.delete(session, grant, actor=actor, action="member.take_role")


def save_role_rules(
    *, session: Session, actor: Actor, changes: CommunitySettingsUpdate, expected_version: int | None
) -> CommunitySettings:
    """Change the lead's rules for the derived roles (and the rota's calendar)."""
    require(actor, Action.manage_community_rules)
    given = changes.model_dump(exclude_unset=True)
    row = session.scalars(select(CommunitySettings)).first()
    current = {k: getattr(row, k) for k in given} if row else {}
    merged = {**rules.RoleRules().__dict__, **({k: getattr(row, k) for k in rules.RoleRules().__dict__} if row else {})}
    merged.update({k: v for k, v in given.items() if k in merged})
    problems = rules.check_rules(rules.RoleRules(**merged))
    if problems:
        raise ValidationError(" ".join(problems))
    if row is None:
        return records.create(session, CommunitySettings(**given), actor=actor, action="community.role_rules")
    if current == given:
        return row
    return records.update_versioned(
        session,
        CommunitySettings,
        records.stored_id(row.id),
        expected_version=row.version if expected_version is None else expected_version,
        changes=given,
        actor=actor,
        action="community.role_rules",
    )
