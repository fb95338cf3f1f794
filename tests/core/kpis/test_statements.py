"""The KPI overview (every family for the period and the one before, and the trends, as the
screen reads them) sends a bounded number of SQL statements: at most 40, and the same number on
the demo workspace as on the demo with several times its conversations, posts, ideas, givers,
loop items and moderation — no statement per row, per item or per period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from core import demo
from core.kpis import overview
from core.kpis.periods import Period, PeriodKind, default_period
from db.models import Channel
from tests.core.kpis.growth import grow_like_the_demo

TODAY = dt.date(2026, 3, 18)
NOW = dt.datetime(2026, 3, 18, 16, 0, tzinfo=dt.UTC)
MAX_STATEMENTS = 40


def _first_lines(*runs: list[str]) -> str:
    return "\n\n".join("\n".join(" ".join(statement.split())[:90] for statement in run) for run in runs)


def _overview_statements(read, sql_statements, period: Period, channel_id: int | None) -> tuple[list[str], dict]:
    with read() as s, sql_statements() as seen:
        shown = overview.kpi_overview(s, start=period.start, end=period.end, channel_id=channel_id, now=NOW)
    return list(seen), {v.key: (v.value, v.previous) for v in shown.values}


# Last month (weekly trends) and the last 13 weeks up to today (monthly trends).
PERIODS = {
    "last month": default_period(PeriodKind.month, TODAY),
    "13 weeks to today": Period(TODAY - dt.timedelta(weeks=13) + dt.timedelta(days=1), TODAY),
}


@pytest.mark.parametrize("period_name", list(PERIODS))
@pytest.mark.parametrize("one_channel", [False, True])
def test_the_kpi_overview_sends_the_same_few_statements_on_little_and_much_data(
    write, read, sql_statements, period_name, one_channel
):
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4)
        channel_id = s.exec(select(col(Channel.id)).order_by(col(Channel.id))).first() if one_channel else None
    period = PERIODS[period_name]
    demo_only, __ = _overview_statements(read, sql_statements, period, channel_id)

    # A little more data of every kind in both periods, then five times that: a statement sent
    # only when there is something to read (a level of merged ideas, an effect to count) may be
    # missing from the demo alone, but no count grows with the data.
    with write() as s:
        grow_like_the_demo(s, [period.previous(), period], per_day=4)
    small, small_figures = _overview_statements(read, sql_statements, period, channel_id)
    with write() as s:
        grow_like_the_demo(s, [period.previous(), period], per_day=20)
    big, big_figures = _overview_statements(read, sql_statements, period, channel_id)

    assert len(demo_only) <= MAX_STATEMENTS, "\n\n".join(demo_only)
    assert len(small) <= MAX_STATEMENTS, "\n\n".join(small)
    assert len(big) == len(small), _first_lines(small, big)
    grown = {key for key in small_figures if small_figures[key] != big_figures[key]}
    # The extra data is in both periods and in every family the overview reads.
    for key in (
        "sla_share",
        "first_response_p90",
        "active_share",
        "next_step_share",
        "valid_proposals",
        "implemented_improvements",
        "escalations",
        "idea_to_shipped_days",
        "givers_thanked_share",
        "posts_answered_within_sla",
        "flagged_share",
        "time_to_moderate",
    ):
        assert key in grown, key


@pytest.mark.parametrize("one_channel", [False, True])
def test_the_kpi_overview_reads_no_table_twice_for_the_same_thing(write, read, sql_statements, one_channel):
    """The figures and the trends share the audience entries and whether ideas and loop items
    exist; the active channels a screen has read already are not read again."""
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4)
        channels = s.exec(select(Channel).where(col(Channel.active)).order_by(col(Channel.name))).all()
        active = tuple((c.id, c.name) for c in channels if c.id is not None)
    channel_id = active[0][0] if one_channel else None
    period = PERIODS["last month"]

    def run(**given) -> tuple[list[str], object]:
        with read() as s, sql_statements() as seen:
            shown = overview.kpi_overview(
                s, start=period.start, end=period.end, channel_id=channel_id, now=NOW, **given
            )
        return [" ".join(statement.split()) for statement in seen], shown

    alone, alone_shown = run()
    given, given_shown = run(active_channels=active)
    assert given_shown == alone_shown  # the same figures, details ("no audience entered for …") included
    assert len(given) == len(alone) - 1
    assert not [s for s in given if "FROM channel" in s]
    for statements in (alone, given):
        twice = {s for s in statements if statements.count(s) > 1}
        assert not twice, "\n\n".join(twice)
        assert len([s for s in statements if "FROM audience_size" in s]) == 1
        assert len([s for s in statements if "EXISTS (SELECT idea.id" in s]) == 1
        # The improvements listed are read with what their effect is worked out from.
        assert not [s for s in statements if "FROM loop_item WHERE loop_item.id IN" in s]
    if not one_channel:
        improvements = next(v for v in alone_shown.values if v.key == "implemented_improvements")
        assert improvements.notes, "the demo ships improvements in the period: their effects are listed"
