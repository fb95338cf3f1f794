"""Audience sizes per channel and period: entered by the analyst, never overlapping, versioned;
averaged over a period for the active share."""

from __future__ import annotations

import datetime as dt

import pytest

from core import audit
from core.errors import ConflictError, PermissionDenied, ValidationError
from core.kpis.audience import (
    AudienceRow,
    add_audience_size,
    audience_for,
    delete_audience_size,
    list_audience_sizes,
    update_audience_size,
)
from core.kpis.periods import Period
from db.models import AudienceSizeCreate, AudienceSizeUpdate, Role
from tests.factories import make_channel, make_user

MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
WEEK = (dt.date(2025, 3, 3), dt.date(2025, 3, 9))


@pytest.fixture
def analyst(team):
    return team[Role.analyst]


def test_the_analyst_enters_an_audience_size_and_it_is_audited(session, analyst, channel):
    view = add_audience_size(
        session=session,
        actor=analyst,
        audience_in=AudienceSizeCreate(channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=12_000),
    )
    assert (view.channel, view.size, view.version) == ("Instagram", 12_000, 1)
    assert list_audience_sizes(session) == [view]
    assert [e.action for e in audit.history(session, entity="audience_size", entity_id=view.id)] == [
        "audience_size.create"
    ]


@pytest.mark.parametrize("role", [Role.viewer, Role.editor, Role.community, Role.lead])
def test_only_analysts_and_admins_enter_audience_sizes(session, channel, role):
    with pytest.raises(PermissionDenied):
        add_audience_size(
            session=session,
            actor=make_user(session, role),
            audience_in=AudienceSizeCreate(channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=10),
        )


@pytest.mark.parametrize(
    ("start", "end", "size", "message"),
    [
        (MARCH[1], MARCH[0], 10, "ends before it starts"),
        (*MARCH, 0, "at least 1"),
        (*MARCH, -5, "at least 1"),
        (*MARCH, 2.5, "whole number"),
        # Overlaps the entry for March by one day.
        (dt.date(2025, 2, 1), dt.date(2025, 3, 1), 10, "overlaps"),
    ],
)
def test_bad_audience_sizes_say_what_to_fix(session, analyst, channel, start, end, size, message):
    add_audience_size(
        session=session,
        actor=analyst,
        audience_in=AudienceSizeCreate(channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=100),
    )
    with pytest.raises(ValidationError, match=message):
        add_audience_size(
            session=session,
            actor=analyst,
            audience_in=AudienceSizeCreate(channel_id=channel.id, period_start=start, period_end=end, size=size),
        )


def test_other_channels_and_adjacent_periods_do_not_clash(session, analyst, channel):
    other = make_channel(session, name="Telegram")
    add_audience_size(
        session=session,
        actor=analyst,
        audience_in=AudienceSizeCreate(channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=100),
    )
    add_audience_size(
        session=session,
        actor=analyst,
        audience_in=AudienceSizeCreate(channel_id=other.id, period_start=MARCH[0], period_end=MARCH[1], size=100),
    )
    add_audience_size(
        session=session,
        actor=analyst,
        audience_in=AudienceSizeCreate(
            channel_id=channel.id, period_start=dt.date(2025, 4, 1), period_end=dt.date(2025, 4, 30), size=110
        ),
    )
    assert len(list_audience_sizes(session)) == 3


def test_changing_a_size_checks_the_version_the_analyst_loaded(session, analyst, channel):
    view = add_audience_size(
        session=session,
        actor=analyst,
        audience_in=AudienceSizeCreate(channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=100),
    )
    changed = update_audience_size(
        session=session,
        actor=analyst,
        audience_id=view.id,
        expected_version=1,
        audience_in=AudienceSizeUpdate(size=150),
    )
    assert (changed.size, changed.version) == (150, 2)
    with pytest.raises(ConflictError):
        update_audience_size(
            session=session,
            actor=analyst,
            audience_id=view.id,
            expected_version=1,
            audience_in=AudienceSizeUpdate(size=999),
        )
    delete_audience_size(session=session, actor=analyst, audience_id=view.id)
    assert list_audience_sizes(session) == []


def test_audience_is_averaged_over_the_days_each_entry_covers():
    week = Period(*WEEK)
    rows = [
        AudienceRow(1, dt.date(2025, 3, 1), dt.date(2025, 3, 31), 100),
        # Channel 2: 200 people Mon–Wed (3 days), 400 Thu–Sun (4 days) → (600 + 1600) / 7.
        AudienceRow(2, dt.date(2025, 2, 1), dt.date(2025, 3, 5), 200),
        AudienceRow(2, dt.date(2025, 3, 6), dt.date(2025, 3, 31), 400),
        # Channel 3 covers only Monday: the uncovered days are left out of its average.
        AudienceRow(3, dt.date(2025, 3, 3), dt.date(2025, 3, 3), 50),
        AudienceRow(4, dt.date(2025, 4, 1), dt.date(2025, 4, 30), 999),  # outside the week
    ]
    assert audience_for(rows, week) == pytest.approx({1: 100.0, 2: 2200 / 7, 3: 50.0})
