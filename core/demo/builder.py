"""The state shared while the demo is built: the session, the day it is laid out around, the
seeded random stream and who writes it."""

from __future__ import annotations

import datetime as dt
import random
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel, select

from core import records
from core.permissions import CLI_ACTOR, Actor
from db.models import Rubric

SEED = 20260401
TIMEZONE = "Europe/Berlin"
WEEKS = 8

T = TypeVar("T", bound=SQLModel)


class DemoBuilder:
    """One load of the demo. Every part draws from the one ``rng`` in a fixed order, so a part
    that draws more or less shifts everything after it: parts that must not disturb the others
    (the idea board's shaping, the calendar's stories, the loop) draw nothing."""

    def __init__(self, session: Session, today: dt.date, *, password_rounds: int):
        self.session = session
        self.today = today
        self.rng = random.Random(SEED)
        self.tz = ZoneInfo(TIMEZONE)
        self.password_rounds = password_rounds
        self.actor: Actor = CLI_ACTOR

    @property
    def start(self) -> dt.date:
        """The first day of the history."""
        return self.today - dt.timedelta(weeks=WEEKS)

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """The instant (UTC) of a wall-clock time in the demo's time zone."""
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz).astimezone(dt.UTC)

    def create(self, record: T, *, action: str) -> T:
        """Insert ``record`` as an audited write, as the screens would."""
        return records.create(self.session, record, actor=self.actor, action=action)

    def rubrics(self) -> dict[str, Rubric]:
        """The workspace's rubrics by name."""
        return {r.name: r for r in self.session.exec(select(Rubric))}
