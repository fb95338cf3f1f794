"""The monthly 'What we implemented' update: exactly the month's loop items, as Markdown."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.loop.items import create_loop_item
from core.loop.monthly import monthly_update
from db.models import (
    LoopItemCreate,
    LoopStatus,
    Role,
    Vote,
)
from tests.core.loop.arrange import idea_with_givers
from tests.factories import make_user

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
S, A, T, M = LoopStatus.shipped, LoopStatus.announced, LoopStatus.thanked, LoopStatus.measured


# --- monthly update ---------------------------------------------------------------------------


def test_the_monthly_update_lists_exactly_the_months_loop_items(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        voters = [make_user(s, Role.editor) for _ in range(3)]
        ideas_ = [idea_with_givers(s, f"@g{n}", f"@h{n}", title=f"Idea {n}") for n in range(4)]
        for voter in voters:
            s.add(Vote(idea_id=ideas_[1].id, user_id=voter.id))
        ids = [i.id for i in ideas_]
    for idea_id, day, what in zip(
        ids,
        [dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 1)],
        ["Late February", "First of March", "Last of March", "April fool"],
        strict=True,
    ):
        with write() as s:
            create_loop_item(
                session=s,
                actor=lead,
                item_in=LoopItemCreate(what_changed=what, shipped_on=day, idea_ids=[idea_id]),
            )
    with read() as s:
        update = monthly_update(s, month=dt.date(2026, 3, 17), today=dt.date(2026, 5, 1))
    assert [i.what_changed for i in update.items] == ["First of March", "Last of March"]
    assert update.items[0].ideas[0].votes == 3 and update.items[0].givers_count == 2
    assert update.markdown.startswith("# What we implemented in March 2026")
    assert (
        "First of March" in update.markdown
        and "Late February" not in update.markdown
        and "April fool" not in update.markdown
    )
    # A public text: the requests and how many people asked, never the team's votes.
    assert "You asked for: “Idea 1”" in update.markdown and "Asked by 2 people" in update.markdown
    assert "vote" not in update.markdown.lower()
    assert update.file_name == "what-we-implemented-2026-03.md"


def test_the_public_update_shows_the_effect_only_once_its_window_has_passed(write, read, team, channel):
    from tests.factories import make_conversation

    lead = team[Role.lead]
    shipped_on = dt.date(2026, 3, 10)
    with write() as s:
        idea = idea_with_givers(s, "@Anna Weiss", "@bo", title="Invoices as PDF", category="billing")
        for day in (1, 3, 5):  # three billing questions in the ten days before shipping
            make_conversation(
                s,
                channel=channel,
                category="billing",
                received_at=dt.datetime(2026, 3, day, 9, 0, tzinfo=BERLIN),
            )
        idea_id = idea.id
    with write() as s:
        create_loop_item(
            session=s,
            actor=lead,
            item_in=LoopItemCreate(what_changed="Invoices download as PDF", shipped_on=shipped_on, idea_ids=[idea_id]),
        )
    with read() as s:
        on_ship_day = monthly_update(s, month=shipped_on, today=shipped_on)
        after_window = monthly_update(s, month=shipped_on, today=shipped_on + dt.timedelta(days=31))
    assert "Effect: measured after 2026-04-10" in on_ship_day.markdown
    assert "→" not in on_ship_day.markdown and "so far" not in on_ship_day.markdown
    assert "Effect: conversations about billing: 3 → 0" in after_window.markdown
