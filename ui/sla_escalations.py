"""Escalation through RACI on the SLA monitor: the escalations a person acts on or is told about,
each team's queue, and the teams with their responsible, accountable, consulted and informed
people, deadline and business hours (leads and admins edit them).

Overdue is worked out when the screen draws, from the cached deadlines.
"""

from __future__ import annotations

import streamlit as st

from core.permissions import Action
from core.sla import escalations, teams
from core.sla.escalations import EscalationItem
from core.text import escape_markdown as md
from core.text import plain_text
from db.models import ESCALATION_DEADLINE_MINUTES, EscalationTeamCreate, EscalationTeamUpdate, Raci
from db.types import utcnow
from ui import sla_conversation
from ui.actions import perform
from ui.frame import PageContext
from ui.reads import read

NEW = -1
TAB_KEY = "sla_tab"
QUEUE_TAB = "Queue"
PART_LABELS = {
    Raci.responsible: "responsible",
    Raci.accountable: "accountable",
    Raci.consulted: "consulted",
    Raci.informed: "informed",
}


def _open(conversation_id: int) -> None:
    sla_conversation.open_conversation(conversation_id)
    st.session_state[TAB_KEY] = QUEUE_TAB


def _table(ctx: PageContext, items: tuple[EscalationItem, ...] | list[EscalationItem], key: str) -> None:
    now = utcnow()
    rows = []
    for item in items:
        c = item.conversation
        late = escalations.overdue(item.deadline_at, resolved=not c.is_open, now=now)
        rows.append(
            {
                "#": c.id,
                "Team": item.team,
                "Your part": ", ".join(PART_LABELS[p] for p in item.parts) or "—",
                "Resolve by": sla_conversation.local_time(item.deadline_at, ctx) + (" · overdue" if late else ""),
                "Worked by": c.assignee or "nobody",
                "From": c.author_handle,
                "Why": c.escalation_reason,
                "Status": c.status.replace("_", " "),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    by_id = {i.conversation.id: i for i in items}
    pick, go = st.columns([6, 1], vertical_alignment="bottom")
    picked = pick.selectbox(
        "Open",
        list(by_id),
        format_func=lambda i: plain_text(f"#{i} · {by_id[i].team} · {by_id[i].conversation.author_handle}"),
        key=f"{key}_pick",
        label_visibility="collapsed",
    )
    go.button("Open in the queue", key=f"{key}_go", on_click=_open, args=(picked,))


def render_escalations(ctx: PageContext) -> None:
    """What the signed-in person acts on (R, A), what they are told about (C, I), and each team's queue."""
    if ctx.actor.id is not None:
        mine = read(escalations.escalations_for, user_id=ctx.actor.id)
        st.markdown(f"#### Escalations you act on ({len(mine.act_on)})")
        if mine.act_on:
            st.caption(
                "You are responsible or accountable for these teams: you reply to their escalations and resolve them."
            )
            _table(ctx, mine.act_on, "sla_esc_mine")
        else:
            st.caption("Nothing escalated to a team you are responsible or accountable for is open.")
        st.markdown(f"#### Escalations you are informed of ({len(mine.told)})")
        if mine.told:
            st.caption("You are consulted or informed on these teams' escalations.")
            _table(ctx, mine.told, "sla_esc_told")
        else:
            st.caption("No open escalation of a team that consults or informs you.")
    team_list = read(teams.list_teams)
    if not team_list:
        return
    st.markdown("#### Team queues")
    by_id = {t.id: t for t in team_list}
    now = utcnow()
    team_id = st.selectbox(
        "Team",
        list(by_id),
        format_func=lambda t: plain_text(
            f"{by_id[t].name} — {by_id[t].open_escalations} open, {by_id[t].overdue_at(now)} overdue"
        ),
        key="sla_esc_team",
    )
    queue = read(escalations.team_queue, team_id=team_id)
    if queue:
        _table(ctx, queue, f"sla_esc_team_{team_id}")
    else:
        st.caption(f"No open escalation for {md(by_id[team_id].name)}.")


# -- the teams --------------------------------------------------------------------------------------


def _names(people) -> str:
    return ", ".join(p.name for p in people) or "—"


def render_teams(ctx: PageContext) -> None:
    team_list = read(teams.list_teams)
    st.caption(
        "Each team has one accountable owner (A) and responsible people (R) who do the work: an escalation is "
        "assigned to the first R and may be worked by R and A whatever their role. Consulted (C) and informed (I) "
        "people see it in their lists. The deadline counts in the team's business hours."
    )
    if team_list:
        now = utcnow()
        st.dataframe(
            [
                {
                    "Team": t.name,
                    "Responsible (R)": _names(t.doers),
                    "Accountable (A)": t.owner or "nobody — set one",
                    "Consulted (C)": _names(t.consulted),
                    "Informed (I)": _names(t.informed),
                    "Deadline": f"{t.deadline_minutes / 60:g} business h",
                    "Hours": t.calendar_name or "the conversation's SLA hours",
                    "Open": t.open_escalations,
                    "Overdue": t.overdue_at(now),
                    "Handles": t.description,
                }
                for t in team_list
            ],
            hide_index=True,
            width="stretch",
            column_config={  # ten columns within 1400 px: no sideways scrolling
                "Team": st.column_config.TextColumn(width=110),
                "Responsible (R)": st.column_config.TextColumn(width=110),
                "Accountable (A)": st.column_config.TextColumn(width=100),
                "Consulted (C)": st.column_config.TextColumn(width=100),
                "Informed (I)": st.column_config.TextColumn(width=96),
                "Deadline": st.column_config.TextColumn(width=72),
                "Hours": st.column_config.TextColumn(width=100),
                "Open": st.column_config.NumberColumn(width=48),
                "Overdue": st.column_config.NumberColumn(width=60),
                "Handles": st.column_config.TextColumn(width=110),
            },
        )
    else:
        st.info(
            "No escalation teams yet."
            + (" Add the first one below." if ctx.can(Action.manage_sla_policies) else " A lead or admin adds them.")
        )
    if ctx.can(Action.manage_sla_policies):
        _team_editor(ctx, {t.id: t for t in team_list})


def _team_editor(ctx: PageContext, by_id: dict[int, teams.TeamView]) -> None:
    people = dict(read(teams.team_owner_choices))
    hours = dict(read(teams.calendar_choices))
    with st.expander("➕ Add or edit a team"):
        chosen = st.selectbox(
            "Team",
            [NEW, *by_id],
            format_func=lambda i: plain_text("New team" if i == NEW else by_id[i].name),
            key="sla_team_pick",
        )
        current = by_id.get(chosen)
        key = f"sla_team_{chosen}_{current.version if current else 0}"

        def picked(part) -> list[int]:
            return [p.id for p in part if p.id in people] if current else []

        with st.form(f"{key}_form"):
            name = st.text_input("Name", value=current.name if current else "", key=f"{key}_name")
            person_ids = list(people)
            owner = st.selectbox(
                "Accountable owner (A)",
                person_ids,
                index=person_ids.index(current.owner_id) if current and current.owner_id in people else None,
                format_func=lambda u: plain_text(people[u]),
                placeholder="Choose a person",
                key=f"{key}_owner",
            )
            responsible = st.multiselect(
                "Responsible (R): does the work; the first one is assigned",
                person_ids,
                default=picked(current.responsible) if current else [],
                format_func=lambda u: plain_text(people[u]),
                key=f"{key}_responsible",
                help="None chosen: the owner does the work.",
            )
            consulted = st.multiselect(
                "Consulted (C)",
                person_ids,
                default=picked(current.consulted) if current else [],
                format_func=lambda u: plain_text(people[u]),
                key=f"{key}_consulted",
            )
            informed = st.multiselect(
                "Informed (I)",
                person_ids,
                default=picked(current.informed) if current else [],
                format_func=lambda u: plain_text(people[u]),
                key=f"{key}_informed",
            )
            left, right = st.columns(2)
            deadline = left.number_input(
                "Deadline (business hours)",
                min_value=0.25,
                max_value=teams.MAX_DEADLINE_MINUTES / 60,
                step=0.25,
                value=(current.deadline_minutes if current else ESCALATION_DEADLINE_MINUTES) / 60,
                key=f"{key}_deadline",
            )
            calendar_ids: list[int | None] = [None, *hours]
            calendar_id = right.selectbox(
                "Counted in these business hours",
                calendar_ids,
                index=calendar_ids.index(current.calendar_id) if current and current.calendar_id in hours else 0,
                format_func=lambda c: plain_text("the conversation's SLA hours" if c is None else hours[c]),
                key=f"{key}_calendar",
            )
            description = st.text_area(
                "What the team handles", value=current.description if current else "", key=f"{key}_description"
            )
            if st.form_submit_button("Save team"):
                fields = dict(
                    name=name,
                    owner_id=owner,
                    description=description,
                    responsible_ids=responsible,
                    consulted_ids=consulted,
                    informed_ids=informed,
                    deadline_minutes=round(deadline * 60, 6),
                    calendar_id=calendar_id,
                )
                if current is None:
                    perform(
                        ctx,
                        lambda s: teams.create_team(
                            session=s, actor=ctx.actor, team_in=EscalationTeamCreate.model_validate(fields)
                        ),
                        success="Team added.",
                    )
                else:
                    perform(
                        ctx,
                        lambda s: teams.update_team(
                            session=s,
                            actor=ctx.actor,
                            team_id=current.id,
                            expected_version=current.version,
                            team_in=EscalationTeamUpdate.model_validate(fields),
                        ),
                        success="Team saved.",
                    )
