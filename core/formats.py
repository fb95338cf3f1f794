"""Numbers, percentages, dates, times and durations as the current language writes them (Babel's
locale data: "26,000" and "79.9 %" in English, "26.000" and "79,9 %" in German).

Every screen, chart axis, generated text and export formats through here, never with ``strftime``
or ``f"{x:,}"``: those always write English.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_day_names, get_month_names
from babel.numbers import format_decimal

from core import i18n
from core.i18n import _

# The Babel locale of each language: English keeps Dialog Desk's international forms (ISO dates).
LOCALES = {"en": "en_GB", "de": "de_DE"}
# Dates as each language writes them in a table or a card.
DATE_PATTERNS = {"en": "yyyy-MM-dd", "de": "dd.MM.yyyy"}
SHORT_DATE_PATTERNS = {"en": "d MMM", "de": "d. MMM"}
MONTH_YEAR_PATTERN = "LLLL yyyy"  # i18n: not text
TIME_PATTERN = "HH:mm"
# Between a number and its percent sign: a space that never breaks the two apart.
PERCENT_SPACE = "\u00a0"
NO_VALUE = "–"


def locale(language: str | None = None) -> Locale:
    return _locale(language or i18n.current())


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(LOCALES.get(language, LOCALES[i18n.SOURCE_LANGUAGE]))


def _language() -> str:
    return i18n.current()


def number(value: float | None, digits: int = 0) -> str:
    """``value`` with the language's grouping and decimal sign, ``digits`` after it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_VALUE
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=locale())


def percent(value: float | None, digits: int = 1) -> str:
    """A share given in percent (79.9, not 0.799): "79.9 %" / "79,9 %"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_VALUE
    return f"{number(value, digits)}{PERCENT_SPACE}%"


def percentage_points(value: float, digits: int = 1) -> str:
    """A change between two shares, signed: "+2.5 pp" / "+2,5 pp"."""
    sign = "-" if value < 0 else "+"
    return _("{sign}{size} pp", sign=sign, size=number(abs(value), digits))


def date(value: dt.date | dt.datetime | None) -> str:
    """A day: 2026-11-24 / 24.11.2026."""
    if value is None:
        return NO_VALUE
    day = value.date() if isinstance(value, dt.datetime) else value
    return format_date(day, DATE_PATTERNS.get(_language(), DATE_PATTERNS["en"]), locale=locale())


def short_date(value: dt.date | dt.datetime) -> str:
    """A day this year, for cards and axis labels: 24 Nov / 24. Nov."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return format_date(day, SHORT_DATE_PATTERNS.get(_language(), SHORT_DATE_PATTERNS["en"]), locale=locale())


def time(value: dt.datetime | dt.time) -> str:
    """A time of day on the 24-hour clock: 14:05."""
    return format_time(value, TIME_PATTERN, locale=locale())


def date_time(value: dt.datetime | None) -> str:
    """A day and a time (already in the zone to show): 2026-11-24 14:05 / 24.11.2026 14:05."""
    if value is None:
        return NO_VALUE
    pattern = f"{DATE_PATTERNS.get(_language(), DATE_PATTERNS['en'])} {TIME_PATTERN}"
    return format_datetime(value, pattern, locale=locale())


def month_year(value: dt.date) -> str:
    """A month by name: November 2026 (German: November 2026, März 2027)."""
    return format_date(value, MONTH_YEAR_PATTERN, locale=locale())


def month_names(width: Literal["abbreviated", "narrow", "wide"] = "wide") -> list[str]:
    """January … December in the current language (index 0 is January)."""
    names = get_month_names(width, context="stand-alone", locale=locale())
    return [names[month] for month in range(1, 13)]


def weekday_names(width: Literal["abbreviated", "narrow", "short", "wide"] = "abbreviated") -> list[str]:
    """Monday … Sunday (index 0 is Monday, as ``date.weekday()``): Mon Tue … / Mo Di …"""
    names = get_day_names(width, context="format", locale=locale())
    # CLDR ends German abbreviations with a dot ("Mo."); a calendar's column heads go without.
    return [names[day].rstrip(".") for day in range(7)]


def weekday_name(day: dt.date, width: Literal["abbreviated", "narrow", "short", "wide"] = "wide") -> str:
    return weekday_names(width)[day.weekday()]


def minutes(value: float) -> str:
    """A duration for a card, compact: 42 min · 3h 05m · 2d 04h."""
    if value < 59.5:
        return _("{minutes} min", minutes=number(value))
    if value < 24 * 60 - 30:
        hours, rest = divmod(round(value), 60)
        return _("{hours}h {minutes:02d}m", hours=hours, minutes=rest)
    days, rest = divmod(round(value / 60), 24)
    return _("{days}d {hours:02d}h", days=days, hours=rest)


def hours(value: float) -> str:
    """A duration in hours, one decimal: 3.5 h / 3,5 h."""
    return _("{hours} h", hours=number(value, 1))


def days(value: float) -> str:
    """A duration in days, one decimal: 2.5 d / 2,5 T."""
    return _("{days} d", days=number(value, 1))


def decimal_separator(language: str | None = None) -> str:
    return locale(language).number_symbols["latn"]["decimal"]


def grouping_separator(language: str | None = None) -> str:
    return locale(language).number_symbols["latn"]["group"]


# Tables (st.column_config.DateColumn / DatetimeColumn) take Moment.js patterns.
_TABLE_DATE_PATTERNS = {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"}


def table_date_format(*, with_time: bool = False) -> str:
    """The pattern of a table's date (or date and time) column in the current language."""
    pattern = _TABLE_DATE_PATTERNS.get(_language(), _TABLE_DATE_PATTERNS["en"])
    return f"{pattern} HH:mm" if with_time else pattern
