"""A screen that shows one KPI family runs only that family's queries, and gets the same figures
as the whole overview: on the demo workspace, where every family has data."""

from __future__ import annotations

import datetime as dt

import pytest

from core import demo
from core.kpis import overview, trends
from core.kpis.definitions import KPIS, Family

TODAY = dt.date(2026, 3, 18)
NOW = dt.datetime(2026, 3, 18, 16, 0, tzinfo=dt.UTC)
START = TODAY - dt.timedelta(days=27)


@pytest.fixture
def loaded(write, read):
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4)
    return read


def _figures(values) -> dict[str, tuple]:
    return {v.key: (v.value, v.previous, v.detail, v.breakdown, v.notes) for v in values}


@pytest.mark.parametrize("family", list(Family))
def test_one_family_alone_has_the_figures_of_the_whole_overview(loaded, sql_statements, family):
    with loaded() as s:
        everything = _figures(overview.compute_kpis(s, start=START, end=TODAY, channel_id=None, now=NOW))
        with sql_statements() as alone_statements:
            alone = _figures(
                overview.compute_kpis(s, start=START, end=TODAY, channel_id=None, now=NOW, families=[family])
            )
        with sql_statements() as all_statements:
            overview.compute_kpis(s, start=START, end=TODAY, channel_id=None, now=NOW)
    keys = {d.key for d in KPIS if d.family == family}
    assert set(alone) == keys
    assert alone == {key: everything[key] for key in keys}
    assert any(value[0] is not None for value in alone.values()), f"the demo has no {family} figures"
    assert len(alone_statements) < len(all_statements)


@pytest.mark.parametrize("family", list(trends.TREND_KEYS))
def test_one_familys_trend_alone_is_the_same_as_in_all_trends(loaded, family):
    with loaded() as s:
        everything = trends.kpi_trends(s, end=TODAY, grain="week", count=8, channel_id=None, now=NOW)
        alone = trends.kpi_trends(s, end=TODAY, grain="week", count=8, channel_id=None, now=NOW, families=[family])
    assert set(alone.families) == {family}
    assert alone.families[family] == everything.families[family]
    assert alone.rows(family), f"the demo has no {family} trend"
