"""Every KPI of a period: nothing in the period, data only in the period before, a naive now."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import ValidationError
from core.kpis.overview import compute_kpis
from core.kpis.report import NO_DATA, format_value
from tests.core.kpis.arrange import WEEK, answered, berlin, compute


def test_an_empty_workspace_has_no_data_for_any_kpi(session, channel):
    values = compute(session)
    assert {key: (v.value, v.previous, v.change) for key, v in values.items()} == {
        key: (None, None, None) for key in values
    }
    assert all(format_value(v.value, v.unit) == NO_DATA for v in values.values())


def test_data_only_outside_the_period_leaves_the_period_empty_but_the_previous_one_filled(session, channel):
    answered(session, channel, at=berlin(28, 10, month=2), business=30, calendar=30)
    values = compute(session)
    assert values["first_response_median"].value is None
    assert values["first_response_median"].previous == 30
    assert values["sla_share"].value is None
    assert values["ugc_per_week"].value is None
    assert values["ugc_per_week"].previous == 0


def test_a_naive_now_is_refused(session, channel):
    with pytest.raises(ValidationError):
        compute_kpis(session, start=WEEK[0], end=WEEK[1], channel_id=None, now=dt.datetime(2025, 3, 20))
