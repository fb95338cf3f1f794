"""The machinery behind a business calendar: day records, per-year corrections, sums of days.

``core.sla.business_time.BusinessCalendar`` owns the rules and their validation; this module
answers its questions fast, in integer UTC microseconds. Each local day becomes a cached record of
UTC intervals; spans are summed as whole regular weeks (the weekly schedule's nominal hours) plus a
per-year list of corrections for the few irregular days (holidays, clock changes), so a span of
years costs about as much as a span of days.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.errors import ValidationError
from core.i18n import _

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
MINUTES_PER_DAY = 24 * 60
_US_PER_MINUTE = 60_000_000
# Keep one day of headroom on both ends of the datetime range for the day records.
_MIN_ORDINAL = date(1, 1, 2).toordinal()
_MAX_ORDINAL = date(9999, 12, 30).toordinal()

# A local ``[open, close)`` interval in minutes since local midnight (0..1440).
Interval = tuple[int, int]


@lru_cache(maxsize=4096)
def _country_holiday_ordinals(country: str, subdivision: str | None, year: int) -> frozenset[int]:
    """A country's public holidays in one year, as date ordinals (loaded once per year)."""
    import holidays as holidays_package  # ~0.1 s of calendars: only when a calendar meets a country's year

    found = holidays_package.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(d.toordinal() for d in found if d.year == year)


def _require_instant(value: object, name: str) -> int:
    """An aware datetime as integer microseconds since the Unix epoch."""
    if not isinstance(value, datetime):
        raise ValidationError(_("The {name} must be a date and time, got {value!r}.", name=name, value=value))
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            _(
                "The {name} {value} has no time zone; pass an aware datetime (UTC).",
                name=name,
                value=value.isoformat(),
            )
        )
    return (value - _EPOCH) // _ONE_US


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


# -- the engine -------------------------------------------------------------------------------

# A day record: (day start, day end, opens, closes, business total), all in UTC microseconds.
_Day = tuple[int, int, tuple[int, ...], tuple[int, ...], int]


class _YearCorrections:
    """The days of one local year whose business time differs from the weekly schedule's."""

    __slots__ = ("first", "after_last", "days", "totals", "prefix")

    def __init__(self, first: int, after_last: int, days: list[int], totals: list[int], prefix: list[int]):
        self.first = first  # ordinal of 1 January
        self.after_last = after_last  # ordinal of 1 January of the next year
        self.days = days  # sorted ordinals of irregular days
        self.totals = totals  # their real business totals
        self.prefix = prefix  # prefix[i] = sum of (real - nominal) over days[:i]


class Engine:
    """The cached machinery behind one calendar; integer UTC microseconds throughout."""

    __slots__ = (
        "zone",
        "weekly",
        "own_holidays",
        "country",
        "subdivision",
        "nominal",
        "week_prefix",
        "week_total",
        "days",
        "years",
    )

    def __init__(
        self,
        zone: ZoneInfo,
        weekly: tuple[tuple[Interval, ...], ...],
        own_holidays: frozenset[date],
        country: str | None,
        subdivision: str | None,
    ):
        self.zone = zone
        # Touching intervals are merged: same business time, fewer bounds to convert.
        self.weekly = tuple(_merge(intervals) for intervals in weekly)
        self.own_holidays = frozenset(d.toordinal() for d in own_holidays)
        self.country = country
        self.subdivision = subdivision
        self.nominal = tuple(sum(c - o for o, c in day) * _US_PER_MINUTE for day in self.weekly)
        prefix = [0]
        for total in self.nominal:
            prefix.append(prefix[-1] + total)
        self.week_prefix = tuple(prefix)  # week_prefix[j] = nominal time of weekdays 0..j-1
        self.week_total = prefix[-1]
        self.days: dict[int, _Day] = {}
        self.years: dict[int, _YearCorrections] = {}

    # -- day records ------------------------------------------------------------------------

    def day(self, ordinal: int) -> _Day:
        record = self.days.get(ordinal)
        if record is None:
            record = self._build_day(ordinal)
            self.days[ordinal] = record
        return record

    def _build_day(self, ordinal: int) -> _Day:
        if not _MIN_ORDINAL <= ordinal <= _MAX_ORDINAL:
            raise ValidationError(_("The date lies outside the supported range (years 1 to 9999)."))
        local = date.fromordinal(ordinal)
        start = self._wall_to_utc(local, 0)
        end = self._wall_to_utc(local, MINUTES_PER_DAY)
        if self.is_holiday(ordinal):
            return start, end, (), (), 0
        opens = []
        closes = []
        for o, c in self.weekly[(ordinal - 1) % 7]:
            o_us = self._wall_to_utc(local, o)
            c_us = self._wall_to_utc(local, c)
            if c_us > o_us:  # an interval wholly inside a spring gap does not exist
                opens.append(o_us)
                closes.append(c_us)
        total = sum(c - o for o, c in zip(opens, closes, strict=False))
        return start, end, tuple(opens), tuple(closes), total

    def is_holiday(self, ordinal: int) -> bool:
        if ordinal in self.own_holidays:
            return True
        if self.country is None:
            return False
        year = date.fromordinal(ordinal).year
        return ordinal in _country_holiday_ordinals(self.country, self.subdivision, year)

    def _wall_to_utc(self, local: date, minutes: int) -> int:
        """The first instant at which the local clock shows ``local`` + ``minutes`` or later."""
        naive = datetime(local.year, local.month, local.day) + timedelta(minutes=minutes)
        aware = naive.replace(tzinfo=self.zone)  # fold=0: the first of two ambiguous instants
        us = (aware - _EPOCH) // _ONE_US
        if _instant(us).astimezone(self.zone).replace(tzinfo=None) == naive:
            return us
        # The wall time falls in a gap; fold=0 used the offset from before the gap, which lands
        # after the gap's end. Search back (whole seconds, as in the tz database) for that end.
        low = (naive.replace(tzinfo=self.zone, fold=1) - _EPOCH) // _ONE_US // 1_000_000
        high = us // 1_000_000
        offset_after = _instant(us).astimezone(self.zone).utcoffset()
        while high - low > 1:
            middle = (low + high) // 2
            if _instant(middle * 1_000_000).astimezone(self.zone).utcoffset() == offset_after:
                high = middle
            else:
                low = middle
        return high * 1_000_000

    # -- per-year corrections ---------------------------------------------------------------

    def year(self, year: int) -> _YearCorrections:
        found = self.years.get(year)
        if found is None:
            found = self._build_year(year)
            self.years[year] = found
        return found

    def _build_year(self, year: int) -> _YearCorrections:
        if not 1 <= year <= 9999:
            raise ValidationError(_("The date lies outside the supported range (years 1 to 9999)."))
        first = date(year, 1, 1).toordinal()
        after_last = first + (366 if _is_leap(year) else 365)
        candidates = {o for o in self.own_holidays if first <= o < after_last}
        if self.country is not None:
            candidates |= _country_holiday_ordinals(self.country, self.subdivision, year)
        candidates |= self._clock_change_days(year, first, after_last)
        days, totals, prefix = [], [], [0]
        for ordinal in sorted(candidates):
            if not _MIN_ORDINAL <= ordinal <= _MAX_ORDINAL:
                continue
            total = self.day(ordinal)[4]
            nominal = self.nominal[(ordinal - 1) % 7]
            if total != nominal:
                days.append(ordinal)
                totals.append(total)
                prefix.append(prefix[-1] + total - nominal)
        return _YearCorrections(first, after_last, days, totals, prefix)

    def _clock_change_days(self, year: int, first: int, after_last: int) -> set[int]:
        """Days of the year on which the UTC offset changes (sampled at midnight and noon)."""
        zone = self.zone
        found: set[int] = set()
        if year == 1:
            return found
        previous = datetime(year, 1, 1, tzinfo=zone).utcoffset()
        for ordinal in range(first, after_last):
            d = date.fromordinal(ordinal)
            noon = datetime(d.year, d.month, d.day, 12, tzinfo=zone).utcoffset()
            if ordinal + 1 <= date.max.toordinal():
                n = date.fromordinal(ordinal + 1)
                midnight = datetime(n.year, n.month, n.day, tzinfo=zone).utcoffset()
            else:
                midnight = noon
            if previous != noon or noon != midnight:
                found.add(ordinal)
            previous = midnight
        return found

    # -- sums over days -----------------------------------------------------------------------

    def nominal_before(self, ordinal: int) -> int:
        """Business time of the weekly schedule alone over the days before ``ordinal``."""
        weeks, weekday = divmod(ordinal - 1, 7)
        return weeks * self.week_total + self.week_prefix[weekday]

    def span(self, first: int, after_last: int) -> int:
        """Business time of the whole local days ``first`` .. ``after_last - 1``."""
        if after_last - first <= 14:
            day = self.day
            return sum(day(o)[4] for o in range(first, after_last))
        total = self.nominal_before(after_last) - self.nominal_before(first)
        ordinal = first
        while ordinal < after_last:
            corrections = self.year(date.fromordinal(ordinal).year)
            stop = min(after_last, corrections.after_last)
            days, prefix = corrections.days, corrections.prefix
            total += prefix[bisect_left(days, stop)] - prefix[bisect_left(days, ordinal)]
            ordinal = stop
        return total

    def find_day(self, ordinal: int, needed: int) -> tuple[int, int]:
        """The first day from ``ordinal`` on by whose end ``needed`` (> 0) business time has
        accumulated, and the business time still needed inside that day."""
        while True:
            if ordinal > _MAX_ORDINAL:
                raise ValidationError(_("The deadline lies beyond the supported range (year 9999)."))
            corrections = self.year(date.fromordinal(ordinal).year)
            days, totals, prefix = corrections.days, corrections.totals, corrections.prefix
            index = bisect_left(days, ordinal)
            year_rest = (
                self.nominal_before(corrections.after_last) - self.nominal_before(ordinal) + prefix[-1] - prefix[index]
            )
            if year_rest < needed:
                needed -= year_rest
                ordinal = corrections.after_last
                continue
            base = ordinal
            while True:
                stop = days[index] if index < len(days) else corrections.after_last
                regular = self.nominal_before(stop) - self.nominal_before(base)
                if regular >= needed:
                    return self._regular_day(base, needed)
                needed -= regular
                total = totals[index]
                if total >= needed:
                    return stop, needed
                needed -= total
                base = stop + 1
                index += 1

    def _regular_day(self, base: int, needed: int) -> tuple[int, int]:
        """In a run of regular days from ``base``: the day reaching ``needed``, by whole weeks."""
        target = needed + self.nominal_before(base)
        weeks = (target - 1) // self.week_total
        weekday = bisect_left(self.week_prefix, target - weeks * self.week_total)
        ordinal = weeks * 7 + weekday
        return ordinal, target - self.nominal_before(ordinal)

    # -- positions inside a day ---------------------------------------------------------------

    def locate(self, us: int, instant: datetime) -> tuple[int, _Day]:
        """The local day whose span holds ``us`` and its record."""
        try:
            ordinal = instant.astimezone(self.zone).toordinal()
        except (OverflowError, ValueError):
            raise ValidationError(
                _("{instant} lies outside the supported range (years 1 to 9999).", instant=instant.isoformat())
            ) from None
        record = self.day(ordinal)
        # Local dates can repeat around a clock change; day spans never overlap, so adjust.
        while us < record[0]:
            ordinal -= 1
            record = self.day(ordinal)
        while us > record[1]:
            ordinal += 1
            record = self.day(ordinal)
        return ordinal, record

    # -- public questions ---------------------------------------------------------------------

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        start_us = _require_instant(start, "start")
        end_us = _require_instant(end, "end")
        if end_us < start_us:
            raise ValidationError(
                _("The end {end} is before the start {start}.", end=end.isoformat(), start=start.isoformat())
            )
        if end_us == start_us:
            return timedelta(0)
        first, first_day = self.locate(start_us, start)
        last, last_day = self.locate(end_us, end)
        if first == last:
            result = _before(last_day, end_us) - _before(first_day, start_us)
        else:
            result = self.span(first, last) - _before(first_day, start_us) + _before(last_day, end_us)
        return timedelta(microseconds=result)

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        start_us = _require_instant(start, "start")
        duration_us = self._duration_us(duration)
        ordinal, record = self.locate(start_us, start)
        return _instant(self._deadline_from(ordinal, record, _before(record, start_us) + duration_us))

    def deadline_and_elapsed(
        self, start: datetime, duration: timedelta, end: datetime | None
    ) -> tuple[datetime, timedelta | None]:
        """``deadline(start, duration)`` and ``elapsed(start, end)`` (None without an end) from
        one look-up of the start's day: an import asks both for every conversation."""
        start_us = _require_instant(start, "start")
        duration_us = self._duration_us(duration)
        ordinal, record = self.locate(start_us, start)
        before_start = _before(record, start_us)
        deadline = _instant(self._deadline_from(ordinal, record, before_start + duration_us))
        if end is None:
            return deadline, None
        end_us = _require_instant(end, "end")
        if end_us < start_us:
            raise ValidationError(
                _("The end {end} is before the start {start}.", end=end.isoformat(), start=start.isoformat())
            )
        if end_us <= record[1]:  # the same local day (``locate`` keeps a day's end in that day)
            return deadline, timedelta(microseconds=_before(record, end_us) - before_start)
        last, last_day = self.locate(end_us, end)
        elapsed = self.span(ordinal, last) - before_start + _before(last_day, end_us)
        return deadline, timedelta(microseconds=elapsed)

    def _duration_us(self, duration: timedelta) -> int:
        if not isinstance(duration, timedelta):
            raise ValidationError(_("The duration must be a timedelta, got {duration!r}.", duration=duration))
        duration_us = duration // _ONE_US
        if duration_us <= 0:
            raise ValidationError(_("The duration must be positive, got {duration}.", duration=duration))
        return duration_us

    def _deadline_from(self, ordinal: int, record: _Day, needed: int) -> int:
        """The instant (µs) at which ``needed`` business time, counted from the start of day
        ``ordinal`` (``record``), has passed."""
        # Short spans: walk a few days; longer ones: skip whole weeks and years arithmetically.
        for _step in range(8):
            if needed <= record[4]:
                return _position(record, needed)
            needed -= record[4]
            ordinal += 1
            record = self.day(ordinal)
        ordinal, needed = self.find_day(ordinal, needed)
        return _position(self.day(ordinal), needed)

    def is_open(self, instant: datetime) -> bool:
        us = _require_instant(instant, "instant")
        _ordinal, record = self.locate(us, instant)
        return any(o <= us < c for o, c in zip(record[2], record[3], strict=False))

    def next_opening(self, instant: datetime) -> datetime:
        us = _require_instant(instant, "instant")
        ordinal, record = self.locate(us, instant)
        for o, c in zip(record[2], record[3], strict=False):
            if us < c:
                return _instant(max(o, us))
        ordinal, needed = self.find_day(ordinal + 1, 1)
        # One microsecond into the day's business time is one microsecond past its opening.
        return _instant(_position(self.day(ordinal), needed) - 1)


def _before(record: _Day, us: int) -> int:
    """Business time of a day up to ``us``."""
    done = 0
    for o, c in zip(record[2], record[3], strict=False):
        if us <= o:
            break
        if us < c:
            return done + us - o
        done += c - o
    return done


def _position(record: _Day, needed: int) -> int:
    """The instant at which ``needed`` (0 < needed <= total) business time of a day has passed."""
    for o, c in zip(record[2], record[3], strict=False):
        length = c - o
        if needed <= length:
            return o + needed
        needed -= length
    raise AssertionError("a day was asked for more business time than it holds")


def _merge(intervals: tuple[Interval, ...]) -> tuple[Interval, ...]:
    merged: list[list[int]] = []
    for o, c in intervals:
        if merged and merged[-1][1] == o:
            merged[-1][1] = c
        else:
            merged.append([o, c])
    return tuple((o, c) for o, c in merged)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
