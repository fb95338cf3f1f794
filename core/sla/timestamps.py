"""The timestamps of platform exports: ISO 8601, RFC 2822, Unix seconds or milliseconds and the
usual spreadsheet forms, with or without an offset. A time without an offset is read in the time
zone the person chose explicitly (never guessed); impossible, future and pre-1990 times are refused
with the reason.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ValidationError

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
DATE_ORDERS = ("DMY", "MDY")


class BadTimestamp(Exception):
    """A cell that is not a time we can trust; the message says why."""


_OFFSET_AT_END = re.compile(r"^(.*?)\s*(?:(Z|UTC|GMT)|(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2}):?(\d{2})?)$", re.IGNORECASE)
_MAX_OFFSET = dt.timedelta(hours=14)
_HAS_TIME = re.compile(r"\d:\d\d|T\d{4}")
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{12,13}$")
_LOCAL_FORMATS = {
    "DMY": (
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %I:%M:%S %p",
        "%d/%m/%Y %I:%M %p",
        "%d/%m/%y %H:%M",
        "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
    ),
    "MDY": (
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%y %H:%M",
        "%m-%d-%Y %H:%M:%S",
        "%m-%d-%Y %H:%M",
    ),
}
_COMMON_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M:%S",
    "%d %B %Y %H:%M",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %H:%M",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %H:%M:%S",
    "%B %d, %Y %H:%M",
    "%B %d, %Y %I:%M:%S %p",
    "%B %d, %Y %I:%M %p",
    "%a %b %d %H:%M:%S %Y",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
)


class TimestampParser:
    """Parses the timestamps of one import: ISO 8601, RFC 2822, Unix seconds/milliseconds and the
    usual spreadsheet forms, with or without an offset. Remembers the last format that worked."""

    def __init__(self, *, zone: ZoneInfo | None, date_order: str, now: dt.datetime):
        if date_order not in DATE_ORDERS:
            raise ValidationError("The date order must be DMY (03/04 = 3 April) or MDY (03/04 = March 4).")
        self.zone = zone
        self.formats = _LOCAL_FORMATS[date_order] + _COMMON_FORMATS
        self.now = now
        self._last: str | None = None

    def parse(self, text: str) -> dt.datetime:
        value = text.strip()
        if _EPOCH.match(value):
            seconds = float(value) / (1000 if len(value) >= 12 and "." not in value else 1)
            return self._check(dt.datetime.fromtimestamp(seconds, dt.UTC), value)
        if not _HAS_TIME.search(value):
            raise BadTimestamp(f"'{value}' has no time of day; the export must contain date and time.")
        parsed = self._parse_aware_or_naive(value)
        if parsed.tzinfo is None:
            parsed = self._localise(parsed, value)
        elif abs(parsed.utcoffset() or dt.timedelta(0)) > _MAX_OFFSET:
            raise BadTimestamp(f"'{value}' has an impossible UTC offset.")
        return self._check(parsed.astimezone(dt.UTC), value)

    def _parse_aware_or_naive(self, value: str) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        if "," in value[:5] or value[:3].isalpha():
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                parsed = None
            if parsed is not None and (parsed.tzinfo is not None or not re.search(r"[+-]0000\s*$", value)):
                return parsed
        local, offset = value, None
        match = _OFFSET_AT_END.match(value)
        if match and (match.group(2) or match.group(3)) and _HAS_TIME.search(match.group(1) or ""):
            local = match.group(1)
            if match.group(2):
                offset = dt.UTC
            else:
                hours, minutes = int(match.group(4)), int(match.group(5) or 0)
                if hours > 14 or minutes > 59:
                    raise BadTimestamp(f"'{value}' has an impossible UTC offset.")
                delta = dt.timedelta(hours=hours, minutes=minutes)
                offset = dt.timezone(-delta if match.group(3) == "-" else delta)
        naive = self._strptime(local, value)
        return naive if offset is None else naive.replace(tzinfo=offset)

    def _strptime(self, local: str, original: str) -> dt.datetime:
        local = re.sub(r"\s+", " ", local.replace("T", " ") if re.match(r"^\d{4}-\d{1,2}-\d{1,2}T", local) else local)
        candidates = (self._last,) + self.formats if self._last else self.formats
        for fmt in candidates:
            try:
                parsed = dt.datetime.strptime(local, fmt)
            except ValueError:
                continue
            self._last = fmt
            return parsed
        raise BadTimestamp(
            f"'{original}' is not a date and time we can read; use e.g. 2025-03-03 09:15, 2025-03-03T09:15:00+01:00 "
            f"or 03.03.2025 09:15 (check the date order if it is written with slashes)."
        )

    def _localise(self, naive: dt.datetime, original: str) -> dt.datetime:
        if self.zone is None:
            raise BadTimestamp(f"'{original}' has no UTC offset; choose the time zone the file's times are in.")
        aware = naive.replace(tzinfo=self.zone)  # fold=0: the first of two ambiguous autumn instants
        if aware.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None) != naive:
            raise BadTimestamp(
                f"'{original}' does not exist in {self.zone.key}: the clocks jumped forward at that hour."
            )
        return aware

    def _check(self, value: dt.datetime, original: str) -> dt.datetime:
        if value < EARLIEST:
            raise BadTimestamp(f"'{original}' is before 1990; check the column and the format.")
        if value > self.now + FUTURE_TOLERANCE:
            raise BadTimestamp(f"'{original}' is in the future; check the date, the date order and the time zone.")
        return value


def zone_named(name: str | None) -> ZoneInfo | None:
    """The time zone the person chose for times without an offset (None: none chosen)."""
    if name is None or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'Europe'
        raise ValidationError(f"Unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'.") from None
