"""What the command line's rooms share: the command signature, reading a file, finding a channel
or a person by name, dates and passwords as the command line takes them."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import workspace
from core.errors import DomainError, ValidationError
from core.kpis import periods

Command = Callable[[argparse.Namespace, Engine], int]


def read_password(prompt: str = "Password: ") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Repeat password: ") != first:
            raise DomainError("The two passwords differ; nothing was changed.")
        return first
    return sys.stdin.readline().rstrip("\n")


def read_file(name: str, what: str = "the export") -> bytes:
    path = Path(name)
    if not path.is_file():
        raise ValidationError(f"{path} is not a file; give the path of {what}.")
    return path.read_bytes()


def date_argument(text: str) -> dt.date:
    try:
        return periods.parse_date(text)
    except DomainError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def channel_named(session: Session, name: str) -> workspace.ChannelView:
    """A channel by name, whatever the case (archived ones too), or a message listing the names."""
    channels = workspace.list_channels(session, include_inactive=True)
    for channel in channels:
        if channel.name.casefold() == " ".join(name.split()).casefold():
            return channel
    known = ", ".join(c.name for c in channels) or "none yet (python -m core channels add NAME)"
    raise ValidationError(f"No channel named {name!r}. Channels: {known}.")


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Rows as aligned columns (the last one ragged)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [f"{str(cell):<{widths[i]}}" for i, cell in enumerate(row[:-1])] + [str(row[-1])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


_DURATION = re.compile(r"^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:m|min))?$")


def minutes_from_text(text: str | int | float) -> int:
    """A first-response target as written: 120, "120", "2h", "1h30m", "90min", "1d" (business days of 24 h
    are rarely meant: a day is refused unless written as hours)."""
    if isinstance(text, (int, float)):
        return int(text) if float(text).is_integer() else _not_minutes(str(text))
    value = str(text).strip().lower().replace(" ", "")
    if value.isdigit():
        return int(value)
    match = _DURATION.match(value)
    if not value or match is None or not any(match.groups()):
        return _not_minutes(str(text))
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    if days:
        raise ValidationError(
            f"{text!r}: write the target in business hours or minutes (e.g. 16h), not days — a business day is not 24 h."
        )
    return hours * 60 + minutes


def _not_minutes(text: str) -> int:
    raise ValidationError(f"{text!r} is not a target like 120 (minutes), 2h or 1h30m.")
