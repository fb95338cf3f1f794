"""Every KPI defined once, and a KPI against the period before."""

from __future__ import annotations

import pytest

from core.kpis.definitions import KPI_BY_KEY, KPIS, Better, Family, KpiDefinition
from core.kpis.values import KpiValue


def test_every_kpi_has_a_definition_a_unit_a_better_direction_and_a_place_to_work_on_it():
    from ui.frame import PAGES

    assert len({k.key for k in KPIS}) == len(KPIS)
    for definition in KPIS:
        assert definition.definition and definition.unit and definition.empty_hint
        assert definition.better in (Better.higher, Better.lower)
        assert definition.page in PAGES
        assert all(key in KPI_BY_KEY for key in definition.beside)


@pytest.mark.parametrize(
    ("value", "previous", "better", "direction"),
    [
        (30.0, 20.0, Better.higher, "up"),
        (30.0, 20.0, Better.lower, "up"),
        (10.0, 20.0, Better.lower, "down"),
        (10.0, 10.0, Better.higher, "flat"),
        (None, 10.0, Better.higher, None),
    ],
)
def test_the_change_against_the_previous_period_has_a_direction(value, previous, better, direction):
    definition = KpiDefinition("k", "K", Family.speed, "%", better, "d", "sla", "hint")
    kpi = KpiValue(definition, value, previous)
    assert kpi.direction == direction
