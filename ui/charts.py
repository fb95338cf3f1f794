"""Charts in the reader's language: Vega's number and time locale built from Babel's data, so an
axis reads "26.000", "79,9" and "Nov." in German.

``draw`` is how a screen shows an Altair chart. Neither the parts of a chart as they are built
nor the finished Vega-Lite spec are checked against the Vega-Lite schema on each view: those
checks cost more than the rest of the chart (8–11 ms a chart with them, 2.7 ms without).
The charts are code, not data, so the suite checks every chart the screens draw against the
schema instead (``tests/pages/charts.py``).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import altair as alt
import streamlit as st
from babel.dates import get_day_names, get_month_names

from core import formats, i18n

THEME = "dialogdesk"

# Altair checks every part of a chart against the schema as it is built (its "debug mode"):
# for our charts, which are code, that is most of their cost on each view.
alt.utils.schemapi.disable_debug_mode()


@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    """No default width or height: a chart takes its container's width and the height it sets."""
    return alt.theme.ThemeConfig()


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


@lru_cache(maxsize=8)
def _locale_spec(language: str) -> dict[str, Any]:
    return locale_config(language).to_dict()


def localized(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with its axes, legends and tooltips formatted in the reader's language."""
    return chart.configure(locale=copy.deepcopy(_locale_spec(i18n.current())))


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec of ``chart`` in the reader's language, its data inline."""
    return localized(chart).to_dict(validate=False)


def draw(chart: alt.TopLevelMixin, *, into: Any = None, **options: Any) -> Any:
    """Show ``chart`` in the reader's language, full width, in ``into`` (a column or container;
    default: where the page is drawing). ``options`` go to ``st.vega_lite_chart`` (``key``,
    ``on_select``)."""
    return (into or st).vega_lite_chart(spec(chart), width="stretch", **options)
