"""Escalation through RACI on the SLA monitor: the escalations a person acts on or is told about,
each team's queue, and the teams with their responsible, accountable, consulted and informed
people, deadline and business hours (leads and admins edit them).

Overdue is worked out when the screen draws, from the cached deadlines.
"""

from __future__ import annotations

import streamlit as st

from core import formats
from core.i18n import N_, _
from core.permissions import Action
from core.sla import escalations, teams
from core.sla.escalations import EscalationItem
from core.sla.figures import status_label
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
QUEUE_TAB = N_("Queue")  # the tab's label is its translation
PART_LABELS = {
    Raci.responsible: N_("responsible"),
    Raci.accountable: N_("accountable"),
    Raci.consulted: N_("consulted"),
    Raci.informed: N_("informed"),
}


def _open(conversation_id: int) -> None:
    sla_conversation.open_conversation(conversation_id)
    st.session_state[TAB_KEY] = _(QUEUE_TAB)


def _table(ctx: PageContext, items: tuple[EscalationItem, ...] | list[EscalationItem], key: str) -> None:
    now = utcnow()
    rows = []
    for item in items:
        c = item.conversation
        late = escalations.overdue(item.deadline_at, resolved=not c.is_open, now=now)
        resolve_by = sla_conversation.local_time(item.deadline_at, ctx)
        rows.append(
            {
                "#": c.id,
                _("Team"): item.team,
                _("Your part"): ", ".join(_(PART_LABELS[p]) for p in item.parts) or "—",
                _("Resolve by"): _("{time} · overdue", time=resolve_by) if late else resolve_by,
                _("Worked by"): c.assignee or _("nobody"),
                _("From"): c.author_handle,
                _("Why"): c.escalation_reason,
                _("Status"): status_label(c.status),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    by_id = {i.conversation.id: i for i in items}
    pick, go = st.columns([6, 1], vertical_alignment="bottom")
    picked = pick.selectbox(
        _("Open"),
        list(by_id),
        format_func=lambda i: plain_text(f"#{i} · {by_id[i].team} · {by_id[i].conversation.author_handle}"),
        key=f"{key}_pick",
        label_visibility="collapsed",
    )
    go.button(_("Open in the queue"), key=f"{key}_go", on_click=_open, args=(picked,))


def render_escalations(ctx: PageContext) -> None:
    """What the signed-in person acts on (R, A), what they are told about (C, I), and each team's queue."""
    if ctx.actor.id is not None:
        mine = read(escalations.escalations_for, user_id=ctx.actor.id)
        st.markdown("#### " + _("Escalations you act on ({count})", count=formats.number(len(mine.act_on))))
        if mine.act_on:
            st.caption(
                _(
                    "You are responsible or accountable for these teams: you reply to their escalations and resolve them."
                )
            )
            _table(ctx, mine.act_on, "sla_esc_mine")
        else:
            st.caption(_("Nothing escalated to a team you are responsible or accountable for is open."))
        st.markdown("#### " + _("Escalations you are informed of ({count})", count=formats.number(len(mine.told))))
        if mine.told:
            st.caption(_("You are consulted or informed on these teams' escalations."))
            _table(ctx, mine.told, "sla_esc_told")
        else:
            st.caption(_("No open escalation of a team that consults or informs you."))
    team_list = read(teams.list_teams)
    if not team_list:
        return
    st.markdown("#### " + _("Team queues"))
    by_id = {t.id: t for t in team_list}
    now = utcnow()
    team_labels = {
        t: _(
            "{team} — {open} open, {overdue} overdue",
            team=plain_text(team.name),
            open=formats.number(team.open_escalations),
            overdue=formats.number(team.overdue_at(now)),
        )
        for t, team in by_id.items()
    }
    team_id = st.selectbox(
        _("Team"),
        list(by_id),
        format_func=lambda option: plain_text(team_labels[option]),
        key="sla_esc_team",
    )
    queue = read(escalations.team_queue, team_id=team_id)
    if queue:
        _table(ctx, queue, f"sla_esc_team_{team_id}")
    else:
        st.caption(_("No open escalation for {team}.", team=md(by_id[team_id].name)))


# -- the teams --------------------------------------------------------------------------------------


def _names(people) -> str:
    return ", ".join(p.name for p in people) or "—"


def _digits(team: teams.TeamView) -> int:
    """As many decimals as a deadline in hours needs (4 h, 1.5 h, 0.25 h)."""
    hours = team.deadline_minutes / 60
    return next((digits for digits in range(3) if round(hours, digits) == round(hours, 6)), 2)


def render_teams(ctx: PageContext) -> None:
    team_list = read(teams.list_teams)
    st.caption(
        _(
            "Each team has one accountable owner (A) and responsible people (R) who do the work: an escalation is "
            "assigned to the first R and may be worked by R and A whatever their role."
        )
        + " "
        + _("Consulted (C) and informed (I) people see it in their lists.")
        + " "
        + _("The deadline counts in the team's business hours.")
    )
    if team_list:
        now = utcnow()
        st.dataframe(
            [
                {
                    _("Team"): t.name,
                    _("Responsible (R)"): _names(t.doers),
                    _("Accountable (A)"): t.owner or _("nobody — set one"),
                    _("Consulted (C)"): _names(t.consulted),
                    _("Informed (I)"): _names(t.informed),
                    _("Deadline"): _("{hours} business h", hours=formats.number(t.deadline_minutes / 60, _digits(t))),
                    _("Hours"): t.calendar_name or _("the conversation's SLA hours"),
                    _("Open"): t.open_escalations,
                    _("Overdue"): t.overdue_at(now),
                    _("Handles"): t.description,
                }
                for t in team_list
            ],
            hide_index=True,
            width="stretch",
            column_config={  # ten columns within 1400 px: no sideways scrolling
                _("Team"): st.column_config.TextColumn(width=110),
                _("Responsible (R)"): st.column_config.TextColumn(width=110),
                _("Accountable (A)"): st.column_config.TextColumn(width=100),
                _("Consulted (C)"): st.column_config.TextColumn(width=100),
                _("Informed (I)"): st.column_config.TextColumn(width=96),
                _("Deadline"): st.column_config.TextColumn(width=72),
                _("Hours"): st.column_config.TextColumn(width=100),
                _("Open"): st.column_config.NumberColumn(width=48),
                _("Overdue"): st.column_config.NumberColumn(width=60),
                _("Handles"): st.column_config.TextColumn(width=110),
            },
        )
    else:
        st.info(
            _("No escalation teams yet.")
            + " "
            + (
                _("Add the first one below.")
                if ctx.can(Action.manage_sla_policies)
                else _("A lead or admin adds them.")
            )
        )
    if ctx.can(Action.manage_sla_policies):
        _team_editor(ctx, {t.id: t for t in team_list})


def _team_editor(ctx: PageContext, by_id: dict[int, teams.TeamView]) -> None:
    people = dict(read(teams.team_owner_choices))
    hours = dict(read(teams.calendar_choices))
    with st.expander("➕ " + _("Add or edit a team")):
        team_choices = {NEW: _("New team"), **{i: plain_text(t.name) for i, t in by_id.items()}}
        chosen = st.selectbox(
            _("Team"),
            [NEW, *by_id],
            format_func=lambda option: plain_text(team_choices[option]),
            key="sla_team_pick",
        )
        current = by_id.get(chosen)
        key = f"sla_team_{chosen}_{current.version if current else 0}"

        def picked(part) -> list[int]:
            return [p.id for p in part if p.id in people] if current else []

        with st.form(f"{key}_form"):
            name = st.text_input(_("Name"), value=current.name if current else "", key=f"{key}_name")
            person_ids = list(people)
            owner = st.selectbox(
                _("Accountable owner (A)"),
                person_ids,
                index=person_ids.index(current.owner_id) if current and current.owner_id in people else None,
                format_func=lambda u: plain_text(people[u]),
                placeholder=_("Choose a person"),
                key=f"{key}_owner",
            )
            responsible = st.multiselect(
                _("Responsible (R): does the work; the first one is assigned"),
                person_ids,
                default=picked(current.responsible) if current else [],
                format_func=lambda u: plain_text(people[u]),
                key=f"{key}_responsible",
                help=_("None chosen: the owner does the work."),
            )
            consulted = st.multiselect(
                _("Consulted (C)"),
                person_ids,
                default=picked(current.consulted) if current else [],
                format_func=lambda u: plain_text(people[u]),
                key=f"{key}_consulted",
            )
            informed = st.multiselect(
                _("Informed (I)"),
                person_ids,
                default=picked(current.informed) if current else [],
                format_func=lambda u: plain_text(people[u]),
                key=f"{key}_informed",
            )
            left, right = st.columns(2)
            deadline = left.number_input(
                _("Deadline (business hours)"),
                min_value=0.25,
                max_value=teams.MAX_DEADLINE_MINUTES / 60,
                step=0.25,
                value=(current.deadline_minutes if current else ESCALATION_DEADLINE_MINUTES) / 60,
                key=f"{key}_deadline",
            )
            calendar_ids: list[int | None] = [None, *hours]
            calendar_labels = {
                None: _("the conversation's SLA hours"),
                **{c: plain_text(name) for c, name in hours.items()},
            }
            calendar_id = right.selectbox(
                _("Counted in these business hours"),
                calendar_ids,
                index=calendar_ids.index(current.calendar_id) if current and current.calendar_id in hours else 0,
                format_func=lambda option: plain_text(calendar_labels[option]),
                key=f"{key}_calendar",
            )
            description = st.text_area(
                _("What the team handles"), value=current.description if current else "", key=f"{key}_description"
            )
            if st.form_submit_button(_("Save team")):
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
                        success=_("Team added."),
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
                        success=_("Team saved."),
                    )
