"""The one date and time reader of every import (conversations, messages, ideas, posts).

It reads ISO 8601, RFC 2822, Unix seconds or milliseconds, the Twitter/X form
("Tue Oct 31 22:10:47 +0000 2017") and the usual spreadsheet forms, with or without an offset.
It never guesses:

* **Date order.** 03/04/2025 is 3 April or March 4. ``settle_date_order`` looks at every such
  value of the file first: when one of them settles it (25/03/2025 can only be day first), the
  file is read that way and the report says which row settled it; when none does and the person
  did not choose, the file is refused with a message asking for the order. Dates with dots
  (03.04.2025) are always day first.
* **Time zone.** A time without an offset is read in the zone the person chose, never a default.
* **Clock changes.** A local time the clocks skipped (spring) is an error; a local time that
  happened twice (the autumn hour) is an error asking for an offset, unless the person chose
  explicitly to take the earlier or the later of the two.

Impossible, future and pre-1990 times are refused with the reason.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import formats
from core.errors import ValidationError
from core.i18n import N_, _, ngettext

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
DATE_ORDERS = ("DMY", "MDY")
ORDER_WORDS = {"DMY": N_("day/month/year"), "MDY": N_("month/day/year")}
AMBIGUOUS_CHOICES = ("earlier", "later")


class BadTimestamp(Exception):
    """A cell that is not a time we can trust; the message says why."""


class DateOrderNeeded(ValidationError):
    """Nothing in the file says whether 03/04 is 3 April or March 4, and nobody chose."""


def date_order_named(value: str | None) -> str | None:
    """DMY or MDY from what a person typed ("dmy", "MDY", "day/month/year"), None when empty."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().upper().replace(" ", "")
    aliases = {"DAY/MONTH/YEAR": "DMY", "DAYFIRST": "DMY", "MONTH/DAY/YEAR": "MDY", "MONTHFIRST": "MDY"}
    order = aliases.get(text, text)
    if order not in DATE_ORDERS:
        raise ValidationError(_("The date order is dmy (03/04 = 3 April) or mdy (03/04 = March 4)."))
    return order


def ambiguous_choice(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if value.strip().lower() not in AMBIGUOUS_CHOICES:
        raise ValidationError(_("For a time the clocks showed twice, choose 'earlier' or 'later'."))
    return value.strip().lower()


# --- the date order of a file ------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})(?!\d)")
# How every such date starts: a cell that does not start so cannot settle the order, and a
# column's cells can be searched for it at once (``Table.column_values(lead=…)``).
DATE_ORDER_LEAD = r"\s*\d{1,2}[/-]"


@dataclass(frozen=True)
class Evidence:
    row: int
    column: str
    value: str


@dataclass(frozen=True)
class DateOrder:
    """How the file's numeric dates are read, and why."""

    order: str  # DMY or MDY (DMY when the file has no date that could be read both ways)
    chosen_by: str  # "person", "file" or "nothing to settle"
    evidence: Evidence | None = None
    either_way: int = 0  # values like 03/04/2025 that the order decides

    @property
    def note(self) -> str:
        """What the report says about it (empty when there was nothing to decide)."""
        words = _(ORDER_WORDS[self.order])
        if self.chosen_by == "file" and self.evidence is not None:
            e = self.evidence
            return _(
                "Dates read as {order}: row {row} has {value} ({column}).",
                order=words,
                row=e.row,
                value=e.value.strip()[:20],
                column=e.column,
            )
        if self.chosen_by == "person" and self.either_way:
            return _("Dates read as {order}, as chosen.", order=words)
        return ""


def _order_of(value: str) -> str | None:
    """DMY or MDY when the value can be read only one way, "either" when both, None when it is
    not a numeric day-month date (or neither reading is a date)."""
    match = _NUMERIC_DATE.match(value)
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first == second or first == 0 or second == 0:
        return None
    day_first = second <= 12
    month_first = first <= 12
    if day_first and month_first:
        return "either"
    if day_first:
        return "DMY"
    if month_first:
        return "MDY"
    return None


def settle_date_order(values: Iterable[tuple[int, str, str]], chosen: str | None = None) -> DateOrder:
    """The date order for a file's values (row, column, text): the person's choice, else what the
    file's own unambiguous dates say. Refuses (``DateOrderNeeded``) when the dates could be read
    both ways and nothing settles it, or when the file's dates contradict each other."""
    chosen = date_order_named(chosen)
    first: dict[str, Evidence] = {}
    either_way = 0
    for row, column, text in values:
        order = _order_of(text)
        if order is None:
            continue
        if order == "either":
            either_way += 1
        elif order not in first:
            first[order] = Evidence(row, column, text)
    if chosen is not None:
        return DateOrder(chosen, "person", first.get(chosen), either_way)
    if len(first) == 2:
        dmy, mdy = first["DMY"], first["MDY"]
        raise DateOrderNeeded(
            _(
                "The file's dates disagree: row {dmy_row} has {dmy_value} (day first) and row {mdy_row} "
                "has {mdy_value} (month first). Fix the file, or choose the date order and fix the rows "
                "that do not fit it.",
                dmy_row=dmy.row,
                dmy_value=dmy.value.strip()[:20],
                mdy_row=mdy.row,
                mdy_value=mdy.value.strip()[:20],
            )
        )
    if first:
        order, evidence = next(iter(first.items()))
        return DateOrder(order, "file", evidence, either_way)
    if either_way:
        raise DateOrderNeeded(
            ngettext(
                "{number} date like 03/04/2025 could be 3 April or March 4, and no date in the file settles "
                "it. Choose the date order: day/month/year or month/day/year.",
                "{number} dates like 03/04/2025 could be 3 April or March 4, and no date in the file settles "
                "it. Choose the date order: day/month/year or month/day/year.",
                either_way,
                number=formats.number(either_way),
            )
        )
    return DateOrder("DMY", "nothing to settle")  # i18n: not text


# --- reading one value ---------------------------------------------------------------------------

_OFFSET_AT_END = re.compile(r"^(.*?)\s*(?:(Z|UTC|GMT)|(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2}):?(\d{2})?)$", re.IGNORECASE)
_MAX_OFFSET = dt.timedelta(hours=14)
_HAS_TIME = re.compile(r"\d:\d\d|T\d{4}")
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{12,13}$")
_TWITTER = re.compile(r"^([A-Za-z]{3}) ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$")
_WEEKDAYS = frozenset(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
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
_DATE_FORMATS = {
    "DMY": ("%d.%m.%Y", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"),
    "MDY": ("%d.%m.%Y", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"),
}
_COMMON_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y")
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
    """Reads the timestamps of one import, in the file's date order (``settle_date_order``) and
    the chosen zone. Remembers the last format that worked, so a long file reads fast."""

    def __init__(
        self,
        *,
        zone: ZoneInfo | None,
        date_order: str,
        now: dt.datetime,
        dates_only: bool = False,
        ambiguous: str | None = None,
        future_tolerance: dt.timedelta = FUTURE_TOLERANCE,
    ):
        order = date_order_named(date_order)
        if order is None:
            raise ValidationError(_("The date order must be DMY (03/04 = 3 April) or MDY (03/04 = March 4)."))
        self.zone = zone
        self.formats = _LOCAL_FORMATS[order] + _COMMON_FORMATS
        self.date_formats = _DATE_FORMATS[order] + _COMMON_DATE_FORMATS
        self.now = now
        self.dates_only = dates_only
        self.ambiguous = ambiguous_choice(ambiguous)
        self.future_tolerance = future_tolerance
        self.latest = now + future_tolerance
        self._last: str | None = None

    def parse(self, text: str) -> dt.datetime:
        """The UTC instant a cell names, or ``BadTimestamp`` saying why it cannot be trusted."""
        value = text.strip()
        if len(value) > 15 and value[4] == "-" and value[10] in "T ":
            # The ISO 8601 forms most exports write ("2025-03-04T05:06:07Z", "2025-03-04 06:06:07"):
            # read straight away; anything fromisoformat refuses takes the long way below.
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                return self._checked_instant(parsed, value)
        if _EPOCH.match(value):
            seconds = float(value) / (1000 if len(value) >= 12 and "." not in value else 1)
            return self._check(dt.datetime.fromtimestamp(seconds, dt.UTC), value)
        if not _HAS_TIME.search(value):
            if not self.dates_only:
                raise BadTimestamp(
                    _("'{value}' has no time of day; the export must contain date and time.", value=value)
                )
            return self._check(self._localise(self._date(value), value).astimezone(dt.UTC), value)
        return self._checked_instant(self._parse_aware_or_naive(value), value)

    def _checked_instant(self, parsed: dt.datetime, value: str) -> dt.datetime:
        if parsed.tzinfo is None:
            parsed = self._localise(parsed, value)
        elif abs(parsed.utcoffset() or dt.timedelta(0)) > _MAX_OFFSET:
            raise BadTimestamp(_("'{value}' has an impossible UTC offset.", value=value))
        return self._check(parsed.astimezone(dt.UTC), value)

    def _date(self, value: str) -> dt.datetime:
        """A date without a time: its local midnight."""
        try:
            return dt.datetime.fromisoformat(value) if re.match(r"^\d{4}-\d{2}-\d{2}$", value) else self._day(value)
        except ValueError:
            return self._day(value)

    def _day(self, value: str) -> dt.datetime:
        for fmt in self.date_formats:
            try:
                return dt.datetime.strptime(re.sub(r"\s+", " ", value), fmt)
            except ValueError:
                continue
        raise BadTimestamp(
            _(
                "'{value}' is not a date we can read; use e.g. 2025-03-31 or 2025-03-31 14:05 "
                "(check the date order if it is written with slashes).",
                value=value,
            )
        )

    def _parse_aware_or_naive(self, value: str) -> dt.datetime:
        twitter = _TWITTER.match(value)  # never ISO 8601, so asked first
        if twitter:
            quick = _twitter_time(twitter)
            if quick is not None:
                return quick
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        if twitter:
            try:
                return dt.datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
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
                    raise BadTimestamp(_("'{value}' has an impossible UTC offset.", value=value))
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
            _(
                "'{value}' is not a date and time we can read; use e.g. 2025-03-03 09:15, 2025-03-03T09:15:00+01:00 "
                "or 03.03.2025 09:15 (check the date order if it is written with slashes).",
                value=original,
            )
        )

    def _localise(self, naive: dt.datetime, original: str) -> dt.datetime:
        if self.zone is None:
            raise BadTimestamp(
                _("'{value}' has no UTC offset; choose the time zone the file's times are in.", value=original)
            )
        earlier = naive.replace(tzinfo=self.zone, fold=0)
        later = naive.replace(tzinfo=self.zone, fold=1)
        if earlier.utcoffset() == later.utcoffset():
            # Both readings agree: the time exists once (PEP 495 gives a skipped or repeated
            # time two different offsets). Nearly every row of a file takes this short way.
            return earlier
        if earlier.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None) != naive:
            raise BadTimestamp(
                _(
                    "'{value}' does not exist in {zone}: the clocks jumped forward at that hour. "
                    "Add the UTC offset to the time.",
                    value=original,
                    zone=self.zone.key,
                )
            )
        if earlier.utcoffset() != later.utcoffset():
            if self.ambiguous is None:
                first, second = (_offset_text(earlier), _offset_text(later))
                raise BadTimestamp(
                    _(
                        "'{value}' happened twice in {zone} (the clocks went back that night): "
                        "add the offset ({first} for the first, {second} for the second), or choose to read such "
                        "times as the earlier or the later one.",
                        value=original,
                        zone=self.zone.key,
                        first=first,
                        second=second,
                    )
                )
            return later if self.ambiguous == "later" else earlier
        return earlier

    def _check(self, value: dt.datetime, original: str) -> dt.datetime:
        if value < EARLIEST:
            raise BadTimestamp(_("'{value}' is before 1990; check the column and the format.", value=original))
        if value > self.latest:
            raise BadTimestamp(
                _("'{value}' is in the future; check the date, the date order and the time zone.", value=original)
            )
        return value


def _twitter_time(match: re.Match[str]) -> dt.datetime | None:
    """The Twitter/X form read without strptime (a long export has a value per row); None when
    something in it is unusual, and strptime decides."""
    weekday, month_name, day, hour, minute, second, sign, off_hours, off_minutes, year = match.groups()
    month = _MONTHS.get(month_name.lower())
    zone = _fixed_zone(sign, off_hours, off_minutes)
    if month is None or zone is None or weekday.lower() not in _WEEKDAYS:
        return None
    try:
        return dt.datetime(int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=zone)
    except ValueError:
        return None


@functools.lru_cache(maxsize=256)
def _fixed_zone(sign: str, hours: str, minutes: str) -> dt.timezone | None:
    """The zone of an offset such as +0530 (None when strptime would refuse it)."""
    if int(minutes) > 59:
        return None
    delta = dt.timedelta(hours=int(hours), minutes=int(minutes))
    try:
        return dt.timezone(-delta if sign == "-" else delta)
    except ValueError:
        return None


def _offset_text(value: dt.datetime) -> str:
    offset = value.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_named(name: str | None) -> ZoneInfo | None:
    """The time zone the person chose for times without an offset (None: none chosen)."""
    if name is None or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'Europe'
        raise ValidationError(
            _("Unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'.", name=name)
        ) from None
