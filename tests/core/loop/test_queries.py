"""The loop's lists: each loop item's givers and thanked givers, read for the whole list at once."""

from __future__ import annotations

import datetime as dt

import pytest

from core.ideas import merges
from core.loop.items import set_thanked
from core.loop.people import idea_ids_of
from core.loop.queries import LoopItemView, giver_keys, open_loops, thanked_keys, views
from db.models import IdeaStatus, LoopItem, Role
from tests.core.loop.arrange import idea_with_givers, open_loop
from tests.factories import make_channel


def _arrange_loops(write, lead, how_many: int) -> list[int]:
    """Loop items over ideas with givers in mixed case across two channels, duplicates merged
    two levels deep into a linked idea, and some givers thanked."""
    loop_ids = []
    with write() as s:
        insta, tele = make_channel(s), make_channel(s)
    for n in range(how_many):
        with write() as s:
            linked = idea_with_givers(s, f"@Ann_{n}", "@Bo Berlin", channel=insta, title=f"Dark mode {n}")
            other = idea_with_givers(s, "@bo berlin", f"@Cy_{n}", channel=tele, title=f"Bigger font {n}")
            middle = idea_with_givers(s, f"@Dee_{n}", channel=tele, status=IdeaStatus.valid, title=f"Night {n}")
            deep = idea_with_givers(s, f"@EVE_{n}", "@ann_0", channel=insta, status=IdeaStatus.valid, title=f"Dim {n}")
            ids = linked.id, other.id, middle.id, deep.id
        with write() as s:
            merges.merge(session=s, actor=lead, source_id=ids[3], target_id=ids[2], expected_version=1)
        with write() as s:
            merges.merge(session=s, actor=lead, source_id=ids[2], target_id=ids[0], expected_version=1)
        item = open_loop(write, lead, ids[0], ids[1], shipped_on=dt.date(2026, 3, 2) + dt.timedelta(days=n))
        if n % 2:
            with write() as s:
                set_thanked(session=s, actor=lead, loop_item_id=item.id, handles=[f"@ANN_{n}", "@Bo Berlin"])
        loop_ids.append(item.id)
    return loop_ids


def _one_by_one(session, loop_item_id: int) -> tuple[int, int]:
    keys = set(giver_keys(session, idea_ids_of(session, loop_item_id)))
    return len(keys), len(keys & thanked_keys(session, loop_item_id))


def test_every_loop_items_givers_and_thanks_match_reading_it_alone(write, read, team):
    lead = team[Role.lead]
    loop_ids = _arrange_loops(write, lead, 3)
    with read() as s:
        listed = {v.id: v for v in open_loops(s)}
        alone = {loop_id: _one_by_one(s, loop_id) for loop_id in loop_ids}
    assert set(listed) == set(loop_ids)
    for loop_id in loop_ids:
        assert (listed[loop_id].givers_count, listed[loop_id].thanked_count) == alone[loop_id]
    # Ann, Bo (one person in two spellings), Cy, and Dee and Eve from the merged ideas; from the
    # second loop on, "@ann_0" on the deepest merged idea is one more person.
    assert [listed[i].givers_count for i in loop_ids] == [5, 6, 6]
    assert [listed[i].thanked_count for i in loop_ids] == [0, 2, 0]


@pytest.mark.parametrize("small, large", [(1, 6)])
def test_a_list_of_loop_items_is_read_in_the_same_number_of_statements_however_long(
    write, read, team, sql_statements, small, large
):
    lead = team[Role.lead]
    loop_ids = _arrange_loops(write, lead, large)
    counts = []
    for how_many in (small, large):
        with read() as s:
            items = [s.get(LoopItem, loop_id) for loop_id in loop_ids[:how_many]]
            with sql_statements() as seen:
                listed: list[LoopItemView] = views(s, items)
        assert [v.givers_count for v in listed] == [5, 6, 6, 6, 6, 6][:how_many]
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts
