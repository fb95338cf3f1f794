"""The demo workspace: a realistic team with eight weeks of dialog, generated from a fixed seed.

Dates are laid out around ``today`` (the day it is loaded), so the screens always have a
recent past and a near future to show; for one ``today`` the content is always the same.

This module is the demo's public face (``load_demo``, the demo sign-ins, the support hours the
benchmarks reuse); each part of the workspace has its own room:

- ``builder``       — the state shared while building: session, ``today``, the seeded random stream;
- ``people``        — the team (one sign-in per role), the channels, the community's handles;
- ``content``       — house rules, eight weeks of posts and two of plan, the calendar's showcase posts;
- ``support_desk``  — business hours, SLA policies, escalation teams, quick answers;
- ``ideas``         — the idea board, scored and shaped, with one merged duplicate;
- ``conversations`` — the dialog history, the live queue around now, rows with a data problem;
- ``loop``          — "You asked, we did" loop items in every state;
- ``kpis``          — audience sizes and last week's digest note;
- ``chain``         — every link of the chain: posts and their dialog, reply threads, escalation
  through RACI; ``chain_showcase`` follows a call for ideas all the way to the thanks;
- ``community``     — roles given by hand, community rules, word lists, a moderated thread, the rota.

The parts draw from one seeded random stream in the order ``_build`` calls them, so a new part
goes at the end (or draws nothing) to leave the rest of the demo as it is.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from core import audit, changes, workspace
from core.demo import chain, community, content, conversations, ideas, kpis, loop, people, support_desk
from core.demo.builder import TIMEZONE, DemoBuilder
from core.demo.people import DEMO_SIGN_INS, demo_password
from core.demo.support_desk import DEMO_CALENDAR
from core.errors import ValidationError

__all__ = ["DEMO_CALENDAR", "DEMO_SIGN_INS", "demo_password", "load_demo"]


def load_demo(
    session: Session, *, today: dt.date | None = None, force: bool = False, password_rounds: int = 10
) -> bool:
    """Fill the demo workspace; returns False when it was there already (idempotent).

    Refuses to touch a database that holds a real workspace unless ``force`` is given.
    """
    current = workspace.state(session)
    if current == workspace.WorkspaceState.demo:
        return False
    if current == workspace.WorkspaceState.live and not force:
        raise ValidationError(
            "This database holds a real workspace; the demo is not loaded into it. "
            "Use --force only if you really want demo data mixed into it."
        )
    demo = DemoBuilder(session, today or dt.date.today(), password_rounds=password_rounds)
    _build(demo, empty=current == workspace.WorkspaceState.empty)
    changes.mark_all_changed(session)  # part of it is inserted in bulk, past the audited writes
    return True


def _build(demo: DemoBuilder, *, empty: bool) -> None:
    if empty:
        workspace.ensure_workspace(
            session=demo.session, actor=demo.actor, name="Dialog Desk demo", timezone_name=TIMEZONE, is_demo=True
        )
    else:
        workspace.ensure_workspace(session=demo.session, actor=demo.actor)
    users = people.add_team(demo)
    channels = people.add_channels(demo)
    content.add_house_rules(demo)
    desk = support_desk.add_support_desk(demo, users=users)
    content.add_posts(demo, users=users, channels=channels)
    board = ideas.add_ideas(demo, users=users, channels=channels)
    conversations.add_conversations(demo, users=users, channels=channels, desk=desk)
    loop.add_loop_items(demo, users=users, channels=channels, ideas=board)
    kpis.add_audience(demo, channels=channels)
    kpis.add_digest_note(demo, users=users)
    chain.add_chain(demo, users=users, channels=channels, desk=desk)  # draws nothing: last, by rule
    community.add_community(demo, users=users, channels=channels)  # draws nothing either: after the chain
    audit.record_change(
        demo.session,
        actor=demo.actor,
        action="demo.load",
        entity="workspace",
        entity_id=None,
        after={"today": demo.today.isoformat()},
    )
    demo.session.flush()
