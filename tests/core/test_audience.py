"""Audience sizes per channel and period: entered by the analyst, never overlapping, versioned."""

from __future__ import annotations

import datetime as dt

import pytest

from core import audience, audit
from core.errors import ConflictError, PermissionDenied, ValidationError
from db.models import Role
from tests.factories import make_channel, make_user

MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


@pytest.fixture
def analyst(team):
    return team[Role.analyst]


def test_the_analyst_enters_an_audience_size_and_it_is_audited(session, analyst, channel):
    view = audience.add_audience_size(
        session, actor=analyst, channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=12_000
    )
    assert (view.channel, view.size, view.version) == ("Instagram", 12_000, 1)
    assert audience.list_audience_sizes(session) == [view]
    assert [e.action for e in audit.history(session, entity="audience_size", entity_id=view.id)] == [
        "audience_size.create"
    ]


@pytest.mark.parametrize("role", [Role.viewer, Role.editor, Role.community, Role.lead])
def test_only_analysts_and_admins_enter_audience_sizes(session, channel, role):
    with pytest.raises(PermissionDenied):
        audience.add_audience_size(
            session,
            actor=make_user(session, role),
            channel_id=channel.id,
            period_start=MARCH[0],
            period_end=MARCH[1],
            size=10,
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
    audience.add_audience_size(
        session, actor=analyst, channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=100
    )
    with pytest.raises(ValidationError, match=message):
        audience.add_audience_size(
            session, actor=analyst, channel_id=channel.id, period_start=start, period_end=end, size=size
        )


def test_other_channels_and_adjacent_periods_do_not_clash(session, analyst, channel):
    other = make_channel(session, name="Telegram")
    audience.add_audience_size(
        session, actor=analyst, channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=100
    )
    audience.add_audience_size(
        session, actor=analyst, channel_id=other.id, period_start=MARCH[0], period_end=MARCH[1], size=100
    )
    audience.add_audience_size(
        session,
        actor=analyst,
        channel_id=channel.id,
        period_start=dt.date(2025, 4, 1),
        period_end=dt.date(2025, 4, 30),
        size=110,
    )
    assert len(audience.list_audience_sizes(session)) == 3


def test_changing_a_size_checks_the_version_the_analyst_loaded(session, analyst, channel):
    view = audience.add_audience_size(
        session, actor=analyst, channel_id=channel.id, period_start=MARCH[0], period_end=MARCH[1], size=100
    )
    changed = audience.update_audience_size(session, actor=analyst, audience_id=view.id, expected_version=1, size=150)
    assert (changed.size, changed.version) == (150, 2)
    with pytest.raises(ConflictError):
        audience.update_audience_size(session, actor=analyst, audience_id=view.id, expected_version=1, size=999)
    audience.delete_audience_size(session, actor=analyst, audience_id=view.id)
    assert audience.list_audience_sizes(session) == []
