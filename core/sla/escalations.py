"""Escalation through RACI (paper §5, §14): who an escalated conversation goes to, by when, who
may act on it, and the queues of a team and of a person.

An escalation team has one accountable owner (A), one or more responsible people (R, who do the
work), and people who are consulted (C) or informed (I). Escalating a conversation assigns it to
the team's first responsible person and fixes an escalation deadline: the team's deadline in
business minutes, counted in the **team's** business calendar — the team does the work in its own
hours (Legal does not work the support desk's Saturday shift) — or, for a team without one, in the
calendar of the conversation's SLA policy. Without either there is no deadline, and the screens say
why.

R and A may act on a conversation escalated to their team whatever their role: a scoped right,
checked here (``escalation_grant``) and audited by the action that uses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core.i18n import _
from core.records import stored_id
from core.sla.calendars import calendar_from_json
from core.sla.figures import OPEN_STATUSES
from core.sla.queues import ConversationRow, conversation_rows
from db.models import (
    BusinessCalendarRow,
    Conversation,
    EscalationTeam,
    EscalationTeamMember,
    Raci,
    SlaPolicy,
)

QUEUE_LIMIT = 200


# --- pure rules -----------------------------------------------------------------------------------


def within_deadline(deadline_at: dt.datetime | None, resolved_at: dt.datetime | None) -> bool | None:
    """Resolved by the escalation deadline (at the deadline itself counts as within); None while
    open or without a deadline."""
    if deadline_at is None or resolved_at is None:
        return None
    return resolved_at <= deadline_at


def overdue(deadline_at: dt.datetime | None, *, resolved: bool, now: dt.datetime) -> bool:
    """Open past the escalation deadline."""
    return deadline_at is not None and not resolved and now >= deadline_at


# --- the people of a team -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPeople:
    """A team's RACI people by user id, each list in the order they were added."""

    accountable: int | None
    responsible: tuple[int, ...]
    consulted: tuple[int, ...]
    informed: tuple[int, ...]

    def part_of(self, user_id: int | None) -> tuple[Raci, ...]:
        if user_id is None:
            return ()
        parts = []
        if user_id == self.accountable:
            parts.append(Raci.accountable)
        for raci, people in (
            (Raci.responsible, self.responsible),
            (Raci.consulted, self.consulted),
            (Raci.informed, self.informed),
        ):
            if user_id in people:
                parts.append(raci)
        return tuple(parts)


def team_people(session: Session, team_id: int) -> TeamPeople:
    team = session.get(EscalationTeam, team_id)
    members = session.exec(
        select(EscalationTeamMember.user_id, EscalationTeamMember.raci)
        .where(EscalationTeamMember.team_id == team_id)
        .order_by(col(EscalationTeamMember.id))
    ).all()

    def of(raci: Raci) -> tuple[int, ...]:
        return tuple(user_id for user_id, part in members if part == raci)

    return TeamPeople(
        accountable=None if team is None else team.owner_id,
        responsible=of(Raci.responsible),
        consulted=of(Raci.consulted),
        informed=of(Raci.informed),
    )


# --- the scoped right ---------------------------------------------------------------------------


def escalation_grant(session: Session, *, user_id: int | None, conversation_id: int) -> str | None:
    """Why this person may act on this conversation although their role may not work
    conversations: they are responsible for, or accountable for, the team it is escalated to.
    None when they are neither (or it is not escalated)."""
    if user_id is None:
        return None
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.escalation_team_id is None:
        return None
    team = session.get(EscalationTeam, conversation.escalation_team_id)
    if team is None:
        return None
    parts = team_people(session, stored_id(team.id)).part_of(user_id)
    if Raci.responsible in parts:
        return _("responsible for {team} escalations", team=team.name)
    if Raci.accountable in parts:
        return _("accountable for {team} escalations", team=team.name)
    return None


# --- escalating -----------------------------------------------------------------------------------


def _calendar_definition(session: Session, team: EscalationTeam, conversation: Conversation) -> str | None:
    calendar_id = team.calendar_id
    if calendar_id is None and conversation.sla_policy_id is not None:
        policy = session.get(SlaPolicy, conversation.sla_policy_id)
        calendar_id = None if policy is None else policy.calendar_id
    if calendar_id is None:
        return None
    row = session.get(BusinessCalendarRow, calendar_id)
    return None if row is None else row.definition


def escalation_deadline(
    session: Session, *, team: EscalationTeam, conversation: Conversation, escalated_at: dt.datetime
) -> dt.datetime | None:
    """The team's deadline counted from ``escalated_at`` in the team's business calendar (or the
    conversation's SLA calendar when the team has none); None without a calendar."""
    definition = _calendar_definition(session, team, conversation)
    if definition is None:
        return None
    calendar = calendar_from_json(definition)
    return calendar.deadline(escalated_at, dt.timedelta(minutes=team.deadline_minutes))


# --- read models ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationItem:
    """An escalated conversation in a queue: the row as the monitor shows it, the team and the
    person's part in that team (for a person's lists)."""

    conversation: ConversationRow
    team_id: int
    team: str
    parts: tuple[Raci, ...] = ()

    @property
    def deadline_at(self) -> dt.datetime | None:
        return self.conversation.escalation_deadline_at


def _escalated(session: Session, team_ids: Sequence[int], *, open_only: bool, limit: int) -> list[tuple[int, int]]:
    if not team_ids:
        return []
    c = Conversation
    statement = select(c.id, c.escalation_team_id).where(col(c.escalation_team_id).in_(list(team_ids)))
    if open_only:
        statement = statement.where(col(c.status).in_([s.value for s in OPEN_STATUSES]))
    rows = session.exec(
        statement.order_by(
            col(c.escalation_deadline_at).is_(None), col(c.escalation_deadline_at), col(c.escalated_at), col(c.id)
        ).limit(limit)
    ).all()
    return [(stored_id(cid), stored_id(tid)) for cid, tid in rows]


def team_queue(
    session: Session, *, team_id: int, open_only: bool = True, limit: int = QUEUE_LIMIT
) -> list[EscalationItem]:
    """The conversations escalated to a team, nearest escalation deadline first (those without
    a deadline last)."""
    team = session.get(EscalationTeam, team_id)
    if team is None:
        return []
    pairs = _escalated(session, [team_id], open_only=open_only, limit=limit)
    rows = conversation_rows(session, ids=[cid for cid, __ in pairs])
    return [EscalationItem(row, team_id, team.name) for row in rows]


@dataclass(frozen=True)
class PersonEscalations:
    """Open escalations a person acts on (R or A of the team) and those they are told about (C or I)."""

    act_on: tuple[EscalationItem, ...]
    told: tuple[EscalationItem, ...]


def escalations_for(session: Session, *, user_id: int, limit: int = QUEUE_LIMIT) -> PersonEscalations:
    """A person's open escalations by their part in each team: R and A act, C and I are told."""
    teams = {t.id: t for t in session.exec(select(EscalationTeam))}
    parts = {tid: team_people(session, stored_id(tid)).part_of(user_id) for tid in teams if tid is not None}
    mine = [tid for tid, p in parts.items() if p]
    pairs = _escalated(session, mine, open_only=True, limit=limit)
    rows = {r.id: r for r in conversation_rows(session, ids=[cid for cid, __ in pairs])}
    act: list[EscalationItem] = []
    told: list[EscalationItem] = []
    for cid, tid in pairs:
        item = EscalationItem(rows[cid], tid, teams[tid].name, parts[tid])
        acts = Raci.responsible in item.parts or Raci.accountable in item.parts
        (act if acts else told).append(item)
    return PersonEscalations(tuple(act), tuple(told))
