"""Loop items: opening a loop, givers and thanks, the forward-only status, roles on every write, audit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.errors import ConflictError, PermissionDenied, ValidationError
from core.ideas import merges
from core.ideas import queries as idea_queries
from core.loop.announce import draft_announcement, draft_monthly_update
from core.loop.impact import record_measurement, set_impact
from core.loop.items import create_loop_item, set_thanked, update_loop_item
from core.loop.queries import (
    closed_loops,
    get_loop_item,
    givers,
    ideas_to_ship,
    open_loops,
    shipped_ideas_without_loop_item,
    thank_you_replies,
)
from core.loop.rules import OPEN_STATUSES
from core.permissions import CLI_ACTOR
from db.models import (
    IdeaStatus,
    LoopItem,
    LoopItemCreate,
    LoopItemImpact,
    LoopItemUpdate,
    LoopStatus,
    Role,
)
from tests.core.loop.arrange import idea_with_givers, open_loop, publish
from tests.factories import make_channel, make_idea, make_user

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
S, A, T, M = LoopStatus.shipped, LoopStatus.announced, LoopStatus.thanked, LoopStatus.measured


# --- givers -----------------------------------------------------------------------------------


def test_givers_are_the_deduplicated_union_over_linked_and_merged_ideas(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        insta, tele = make_channel(s), make_channel(s)
        first = idea_with_givers(s, "@ann", "@bo", channel=insta)
        second = idea_with_givers(s, "@bo", "@cy", channel=tele)
        target = idea_with_givers(s, "@dee", channel=tele)
        duplicate = idea_with_givers(s, "@ann", "@eve", channel=insta, status=IdeaStatus.valid)
        first_id, second_id, target_id, duplicate_id = first.id, second.id, target.id, duplicate.id
    with write() as s:
        merges.merge(session=s, actor=lead, source_id=duplicate_id, target_id=target_id, expected_version=1)
    item = open_loop(write, lead, first_id, second_id, target_id)
    with read() as s:
        handles = [g.handle for g in givers(s, loop_item_id=item.id)]
    assert handles == ["@ann", "@bo", "@cy", "@dee", "@eve"]
    assert item.givers_count == 5


def test_a_merged_away_idea_cannot_be_linked_and_an_idea_answers_one_loop_only(write, team):
    lead = team[Role.lead]
    with write() as s:
        target = idea_with_givers(s, "@a")
        merged = make_idea(s, status=IdeaStatus.valid, merged_into_id=target.id)
        target_id, merged_id = target.id, merged.id
    with pytest.raises(ValidationError, match="merged into"), write() as s:
        create_loop_item(
            session=s,
            actor=lead,
            item_in=LoopItemCreate(what_changed="X", shipped_on=dt.date(2026, 3, 2), idea_ids=[merged_id]),
        )
    open_loop(write, lead, target_id)
    with pytest.raises(ValidationError, match="already answered"), write() as s:
        create_loop_item(
            session=s,
            actor=lead,
            item_in=LoopItemCreate(what_changed="Y", shipped_on=dt.date(2026, 3, 2), idea_ids=[target_id]),
        )


def test_opening_a_loop_for_an_idea_in_progress_marks_it_shipped(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        idea = idea_with_givers(s, "@a", status=IdeaStatus.in_progress, category="billing")
        idea_id, version = idea.id, idea.version
    with read() as s:
        assert [c.id for c in ideas_to_ship(s)] == [idea_id]
    item = open_loop(write, lead, idea_id, idea_versions={idea_id: version})
    with read() as s:
        assert idea_queries.get_idea(session=s, idea_id=idea_id).status == IdeaStatus.shipped
        assert ideas_to_ship(s) == [] and shipped_ideas_without_loop_item(s) == []
    assert item.impact_categories == ("billing",)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"what_changed": "  "}, "what changed"),
        ({"what_changed": "x" * 301}, "keep it to 300"),
        ({"idea_ids": []}, "at least one idea"),
        ({"shipped_on": "tomorrow"}, "in the future"),
        ({"impact_window_days": 0}, "1 to 365 days"),
    ],
)
def test_bad_loop_items_are_refused_with_what_to_fix(write, read, team, fields, message):
    with write() as s:
        idea_id = idea_with_givers(s, "@a").id
    arguments = {"what_changed": "Dark mode", "shipped_on": dt.date(2026, 3, 2), "idea_ids": [idea_id]} | fields
    if arguments["shipped_on"] == "tomorrow":
        # Read the clock here, not when the tests are collected: a run that passes midnight in
        # Berlin would otherwise send today's date as "tomorrow". Two days ahead stays in the future
        # even if midnight passes between this line and the check.
        arguments["shipped_on"] = dt.datetime.now(BERLIN).date() + dt.timedelta(days=2)
    with pytest.raises(ValidationError, match=message), write() as s:
        create_loop_item(session=s, actor=team[Role.lead], item_in=LoopItemCreate(**arguments))
    with read() as s:
        assert s.exec(select(LoopItem)).all() == []


@pytest.mark.parametrize("role", [Role.editor, Role.community, Role.viewer])
def test_only_lead_and_admin_manage_loop_items(write, team, role):
    with write() as s:
        idea_id = idea_with_givers(s, "@a").id
    with pytest.raises(PermissionDenied), write() as s:
        create_loop_item(
            session=s,
            actor=team[role],
            item_in=LoopItemCreate(what_changed="X", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea_id]),
        )


def test_the_loop_moves_forward_announced_thanked_measured(write, read, team):
    lead, community = team[Role.lead], team[Role.community]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = idea_with_givers(s, "@ann", "@bo").id
    item = open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 1, 10))
    with write() as s:
        post = draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
    publish(write, lead, post.id)
    with read() as s:
        view = get_loop_item(s, item.id)
        assert [i.id for i in open_loops(s)] == [item.id] and closed_loops(s) == []
    assert view.status == A and view.announced_at is not None

    with write() as s:
        set_thanked(session=s, actor=community, loop_item_id=item.id, handles=["@ann"])
    with read() as s:
        assert get_loop_item(s, item.id).status == A
        assert [g.handle for g in givers(s, loop_item_id=item.id) if g.thanked] == ["@ann"]
    with write() as s:
        view = set_thanked(session=s, actor=community, loop_item_id=item.id, handles=["@bo"])
    assert view.status == T and view.status not in OPEN_STATUSES
    with read() as s:
        assert [i.id for i in closed_loops(s)] == [item.id] and open_loops(s) == []
    with pytest.raises(ValidationError, match="no longer be removed"), write() as s:
        set_thanked(session=s, actor=community, loop_item_id=item.id, handles=["@bo"], thanked=False)

    with write() as s:
        view = set_impact(
            session=s,
            actor=lead,
            loop_item_id=item.id,
            expected_version=view.version,
            impact_in=LoopItemImpact(nps_before=31, nps_after=38),
        )
    assert view.status == M and view.measured_at is not None


def test_thanks_and_measurement_before_the_announcement_wait_for_it(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = idea_with_givers(s, "@ann").id
    item = open_loop(write, lead, idea_id)
    with write() as s:
        set_thanked(session=s, actor=lead, loop_item_id=item.id, handles=["@ann"])
        current = get_loop_item(s, item.id)
        current = set_impact(
            session=s,
            actor=lead,
            loop_item_id=item.id,
            expected_version=current.version,
            impact_in=LoopItemImpact(nps_before=10, nps_after=20),
        )
        assert current.status == S
        post = draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=current.version
        )
    publish(write, lead, post.id)
    with read() as s:
        assert get_loop_item(s, item.id).status == M


@pytest.mark.parametrize("role", [Role.editor, Role.viewer])
def test_only_lead_community_and_admin_thank_givers(write, team, role):
    with write() as s:
        idea_id = idea_with_givers(s, "@ann").id
    item = open_loop(write, team[Role.lead], idea_id)
    with pytest.raises(PermissionDenied), write() as s:
        set_thanked(session=s, actor=team[role], loop_item_id=item.id, handles=["@ann"])


def test_thanking_someone_who_gave_no_idea_is_refused(write, team):
    with write() as s:
        idea_id = idea_with_givers(s, "@ann").id
    item = open_loop(write, team[Role.lead], idea_id)
    with pytest.raises(ValidationError, match="@nobody did not give"), write() as s:
        set_thanked(session=s, actor=team[Role.community], loop_item_id=item.id, handles=["@nobody"])


def test_thank_you_replies_are_one_per_channel_naming_its_givers(write, read, team):
    with write() as s:
        insta, tele = make_channel(s, name="Insta"), make_channel(s, name="Tele")
        a = idea_with_givers(s, "@ann", "@bo", channel=insta).id
        b = idea_with_givers(s, "@cy", channel=tele).id
    item = open_loop(write, team[Role.lead], a, b)
    with read() as s:
        replies = thank_you_replies(s, loop_item_id=item.id)
    assert list(replies) == ["Insta", "Tele"]
    assert replies["Insta"].startswith("@ann @bo ") and "@cy" not in replies["Insta"]
    assert replies["Tele"].startswith("@cy ")


def test_every_write_is_audited_and_a_stale_edit_is_refused(write, read, team):
    from core import audit
    from db.models import AuditLog

    lead = team[Role.lead]
    with write() as s:
        idea_id = idea_with_givers(s, "@a").id
    item = open_loop(write, lead, idea_id)
    with write() as s:
        set_thanked(session=s, actor=team[Role.community], loop_item_id=item.id, handles=["@a"])
        set_impact(
            session=s,
            actor=lead,
            loop_item_id=item.id,
            expected_version=item.version,
            impact_in=LoopItemImpact(impact_categories=["billing"]),
        )
    with pytest.raises(ConflictError), write() as s:
        set_impact(
            session=s,
            actor=lead,
            loop_item_id=item.id,
            expected_version=item.version,
            impact_in=LoopItemImpact(impact_categories=["login"]),
        )
    with read() as s:
        actions = [h.action for h in audit.history(s, entity="loop_item", entity_id=item.id)]
        thanked_by = s.exec(select(AuditLog.actor).where(AuditLog.action == "loop_item.giver_thanked")).all()
        assert get_loop_item(s, item.id).impact_categories == ("billing",)
    assert actions == ["loop_item.create", "loop_item.impact_set"]
    assert thanked_by == [team[Role.community].username]


def test_cli_actor_may_run_loop_writes(write):
    with write() as s:
        make_user(s, Role.admin)
        idea_id = idea_with_givers(s, "@a").id
        view = create_loop_item(
            session=s,
            actor=CLI_ACTOR,
            item_in=LoopItemCreate(what_changed="X", shipped_on=dt.date(2026, 3, 1), idea_ids=[idea_id]),
        )
    assert view.status == S


# --- roles on every write, a cancelled announcement, the overdue list --------------------------


def _loop_writes(channel_id):
    """Every write of the loop module that needs ``manage_loop``, as (name, call)."""
    return {
        "create_loop_item": lambda s, actor, item, idea_id: create_loop_item(
            session=s,
            actor=actor,
            item_in=LoopItemCreate(what_changed="Y", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea_id]),
        ),
        "update_loop_item": lambda s, actor, item, idea_id: update_loop_item(
            session=s,
            actor=actor,
            loop_item_id=item.id,
            expected_version=item.version,
            item_in=LoopItemUpdate(what_changed="Z", details="", shipped_on=dt.date(2026, 3, 2)),
        ),
        "draft_announcement": lambda s, actor, item, idea_id: draft_announcement(
            session=s, actor=actor, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        ),
        "set_impact": lambda s, actor, item, idea_id: set_impact(
            session=s,
            actor=actor,
            loop_item_id=item.id,
            expected_version=item.version,
            impact_in=LoopItemImpact(nps_before=1, nps_after=2),
        ),
        "record_measurement": lambda s, actor, item, idea_id: record_measurement(
            session=s, actor=actor, loop_item_id=item.id, expected_version=item.version, today=dt.date(2026, 6, 1)
        ),
        "draft_monthly_update": lambda s, actor, item, idea_id: draft_monthly_update(
            session=s, actor=actor, month=dt.date(2026, 3, 1), channel_id=channel_id
        ),
    }


@pytest.mark.parametrize("write_name", list(_loop_writes(0)))
@pytest.mark.parametrize("role", [Role.editor, Role.community, Role.viewer])
def test_every_loop_write_is_refused_to_roles_that_do_not_manage_the_loop(write, read, team, write_name, role):
    from db.models import AuditLog, Post

    with write() as s:
        channel_id = make_channel(s).id
        linked = idea_with_givers(s, "@a", category="billing").id
        spare = idea_with_givers(s, "@b").id
    item = open_loop(write, team[Role.lead], linked)
    with read() as s:
        audited = len(s.exec(select(AuditLog)).all())
    with pytest.raises(PermissionDenied), write() as s:
        _loop_writes(channel_id)[write_name](s, team[role], item, spare)
    with read() as s:
        assert get_loop_item(s, item.id) == item
        assert s.exec(select(Post)).all() == []
        assert len(s.exec(select(LoopItem)).all()) == 1
        assert len(s.exec(select(AuditLog)).all()) == audited


@pytest.mark.parametrize("write_name", list(_loop_writes(0)))
def test_the_admin_may_run_every_loop_write(write, team, write_name):
    with write() as s:
        channel_id = make_channel(s).id
        linked = idea_with_givers(s, "@a", category="billing").id
        spare = idea_with_givers(s, "@b").id
    item = open_loop(write, team[Role.lead], linked)
    with write() as s:
        assert _loop_writes(channel_id)[write_name](s, team[Role.admin], item, spare) is not None
