"""Charts in the reader's language: Vega's number and time locale built from Babel's data, so an
axis reads "26.000", "79,9" and "Nov." in German."""

from __future__ import annotations

from typing import Any

import altair as alt
from babel.dates import get_day_names, get_month_names

from core import formats, i18n


def locale_config(language: str | None = None) -> alt.Locale:
    """Vega's locale for ``language`` (default: the current one)."""
    language = language or i18n.current()
    babel_locale = formats.locale(language)

    def days(width: Any) -> list[str]:
        names = get_day_names(width, context="format", locale=babel_locale)
        return [names[(day - 1) % 7] for day in range(7)]  # Vega starts the week on Sunday

    def months(width: Any) -> list[str]:
        names = get_month_names(width, context="format", locale=babel_locale)
        return [names[month] for month in range(1, 13)]

    return alt.Locale(
        number=alt.NumberLocale(
            decimal=formats.decimal_separator(language),
            thousands=formats.grouping_separator(language),
            grouping=[3],
            currency=["", "\u00a0€"] if language == "de" else ["€", ""],
        ),
        time=alt.TimeLocale(
            dateTime="%x, %X",
            date="%d.%m.%Y" if language == "de" else "%Y-%m-%d",
            time="%H:%M:%S",
            periods=["AM", "PM"],
            days=days("wide"),
            shortDays=days("abbreviated"),
            months=months("wide"),
            shortMonths=months("abbreviated"),
        ),
    )


def localized(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with its axes, legends and tooltips formatted in the reader's language; call it
    last, on the chart handed to ``st.altair_chart``."""
    return chart.configure(locale=locale_config())
