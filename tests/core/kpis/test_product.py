"""The product footprint: valid proposals and implemented improvements per month."""

from __future__ import annotations

import datetime as dt

from db.models import LoopItem, LoopItemIdea
from tests.core.kpis.arrange import berlin, compute
from tests.factories import make_idea


def test_valid_proposals_count_per_month_by_the_date_they_became_valid(session, channel):
    start, end = dt.date(2025, 2, 15), dt.date(2025, 3, 14)
    make_idea(session, status="valid", valid_at=berlin(20, 10, month=2))
    make_idea(session, status="shipped", valid_at=berlin(28, 23, 30, month=2))  # still February in Berlin
    make_idea(session, status="planned", valid_at=berlin(1, 0, 30))  # 28 Feb 23:30 UTC: March in Berlin
    original = make_idea(session, status="valid", valid_at=berlin(3, 10))
    make_idea(session, status="valid", valid_at=berlin(4, 10), merged_into_id=original.id)  # duplicate
    make_idea(session, status="new")
    make_idea(session, status="valid", valid_at=berlin(15, 10))  # after the period
    value = compute(session, start, end)["valid_proposals"]
    assert value.value == 4
    assert value.breakdown == (("2025-02", 2.0), ("2025-03", 2.0))


def test_valid_proposals_have_no_data_until_an_idea_is_logged(session, channel):
    assert compute(session)["valid_proposals"].value is None
    make_idea(session, status="new")
    assert compute(session)["valid_proposals"].value == 0


def test_implemented_improvements_per_month_with_their_measured_effect(session, channel):
    start, end = dt.date(2025, 2, 15), dt.date(2025, 3, 14)
    idea = make_idea(session, channel_id=channel.id)
    measured = LoopItem(what_changed="Dark mode is live", shipped_on=dt.date(2025, 2, 20), nps_before=30, nps_after=42)
    unmeasured = LoopItem(what_changed="Faster export", shipped_on=dt.date(2025, 3, 14))
    outside = LoopItem(what_changed="Old change", shipped_on=dt.date(2025, 2, 14))
    session.add_all([measured, unmeasured, outside])
    session.flush()
    session.add(LoopItemIdea(loop_item_id=measured.id, idea_id=idea.id))
    session.flush()

    value = compute(session, start, end)["implemented_improvements"]
    assert value.value == 2
    assert value.previous == 1
    assert value.breakdown == (("2025-02", 1.0), ("2025-03", 1.0))
    assert value.notes[0].startswith("2025-03-14: Faster export — effect not measured")
    assert value.notes[1] == "2025-02-20: Dark mode is live — NPS 30 → 42 (+12)"
    assert value.detail.startswith("1 of the 2 listed with a measured effect")
    # For one channel: only loop items answering that channel's ideas.
    assert compute(session, start, end, channel=channel)["implemented_improvements"].value == 1
