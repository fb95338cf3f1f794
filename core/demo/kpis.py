"""The demo's inputs to the KPI overview that no other part produces: the audience size of each
channel per month and last week's digest note."""

from __future__ import annotations

import datetime as dt

from core.demo.builder import DemoBuilder
from core.demo.people import COMMUNITY_HANDLES
from core.local_time import next_month
from core.records import stored_id
from db.models import AudienceSize, Channel, User, WeeklyDigestNote

AUDIENCE_SIZES = (12000, 4500, 8000, 1500)  # one per channel, in the order of people.CHANNELS


def add_audience(demo: DemoBuilder, *, channels: list[Channel]) -> None:
    """Every month of the history, up to this one, with a steady audience per channel."""
    month = demo.start.replace(day=1)
    while month <= demo.today:
        following = next_month(month)
        for channel, size in zip(channels, AUDIENCE_SIZES, strict=True):
            demo.session.add(
                AudienceSize(
                    channel_id=stored_id(channel.id),
                    period_start=month,
                    period_end=following - dt.timedelta(days=1),
                    size=size,
                )
            )
        month = following


def add_digest_note(demo: DemoBuilder, *, users: dict[str, User]) -> None:
    """The community manager's note for last week's digest: a hero and the next topic."""
    last_monday = demo.today - dt.timedelta(days=demo.today.weekday() + 7)
    demo.session.add(
        WeeklyDigestNote(
            week_start=last_monday,
            hero_handle=COMMUNITY_HANDLES[3],
            hero_reason="Wrote the export guide everyone shared.",
            next_topic="How notifications decide what to send",
            chosen_by_id=users["community"].id,
        )
    )
