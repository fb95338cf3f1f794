"""The board's read models: sorting, filters, kanban columns, table pages, the matrix and status counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, func, select

from core.ideas.queries import BoardFilters, board_page, get_idea, kanban, matrix, status_counts
from db.models import Idea

UTC = dt.UTC

# --- board queries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("demand", ["dark", "passkey", "export", "font"]),
        ("votes", ["export", "passkey", "dark", "font"]),
        ("newest", ["font", "passkey", "export", "dark"]),
        ("oldest", ["dark", "export", "passkey", "font"]),
        ("score", ["export", "passkey", "dark", "font"]),
    ],
)
def test_the_table_sorts_by_demand_votes_age_and_score(read, board, sort, order):
    with read() as s:
        rows = board_page(session=s, sort=sort).rows
    assert [r.id for r in rows] == [board[k] for k in order]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (BoardFilters(statuses=("valid",)), {"export", "passkey"}),
        (BoardFilters(sources=("comment", "dm")), {"dark", "passkey"}),
        (BoardFilters(quick_wins_only=True), {"export"}),
        (BoardFilters(text="excel"), {"export"}),
        (BoardFilters(text="not enough"), {"export"}),  # the description counts too
        (BoardFilters(text="100%"), set()),  # wildcards are searched literally
        (BoardFilters(statuses=("new",), text="mode"), {"dark"}),
    ],
)
def test_board_filters(read, board, filters, expected):
    with read() as s:
        rows = board_page(session=s, filters=filters).rows
    assert {r.id for r in rows} == {board[k] for k in expected}


def test_channel_filter(read, board):
    with read() as s:
        channel = get_idea(session=s, idea_id=board["dark"]).channel_id
        assert {r.id for r in board_page(session=s, filters=BoardFilters(channel_ids=(channel,))).rows} == {
            board["dark"],
            board["passkey"],
        }


def test_kanban_columns_count_everything_but_show_a_few(read, board):
    with read() as s:
        columns = kanban(session=s, per_column=1)
    by_status = {c.status: c for c in columns}
    assert [c.status for c in columns] == ["new", "valid", "planned", "in_progress", "shipped"]
    assert (by_status["new"].count, len(by_status["new"].ideas)) == (2, 1)
    assert by_status["new"].ideas[0].id == board["dark"]  # highest demand first
    assert by_status["valid"].count == 2 and by_status["planned"].count == 0


def test_table_pages(read, board):
    with read() as s:
        first, second = board_page(session=s, page=1, page_size=3), board_page(session=s, page=2, page_size=3)
        beyond = board_page(session=s, page=9, page_size=3)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (4, 2, 3, 1)
    assert beyond.page == 2


def test_the_matrix_holds_scored_ideas_bounded_by_demand_plus_quick_wins(write, read, board, team):
    with read() as s:
        full = matrix(session=s)
        small = matrix(session=s, top_n=1)
    assert {p.id for p in full.points} == {board["export"], board["passkey"]}
    assert (full.scored, full.quick_wins) == (2, 1)
    # Top 1 by demand (passkey, 2 givers) plus the top quick win (export).
    assert {p.id for p in small.points} == {board["passkey"], board["export"]}


def test_status_counts_add_up_to_the_table_total_and_leave_merged_ideas_out(read, board):
    with read() as s:
        counts = status_counts(session=s)
        assert sum(counts.values()) == board_page(session=s).total == 4
        assert s.exec(select(func.count()).select_from(Idea).where(col(Idea.merged_into_id).is_(None))).one() == 4
