"""Timestamps of every import: the common formats with and without an offset, naive ones read in
the chosen time zone, the date order settled by the file or asked for (never guessed), the
autumn hour refused unless a side was chosen, and the ones we cannot trust refused with a reason."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core import timestamps
from core.errors import ValidationError
from core.i18n import using

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text, order, expected",
    [
        ("2025-11-10T10:15:00+01:00", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 10:15:00+0100", "DMY", "2025-11-10 09:15"),
        ("2025-11-10T09:15:00Z", "DMY", "2025-11-10 09:15"),
        ("2025-11-10T09:15:00.250Z", "DMY", "2025-11-10 09:15:00.250"),
        ("20251110T091500Z", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 04:15:00-05:00", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 09:15 UTC", "DMY", "2025-11-10 09:15"),
        ("2025-11-10 11:15:00 GMT+2", "DMY", "2025-11-10 09:15"),
        ("Mon, 10 Nov 2025 10:15:00 +0100", "DMY", "2025-11-10 09:15"),
        ("1762766100", "DMY", "2025-11-10 09:15"),  # Unix seconds
        ("1762766100000", "DMY", "2025-11-10 09:15"),  # Unix milliseconds
        # naive: read in Europe/Berlin (CET in November)
        ("2025-11-10 10:15", "DMY", "2025-11-10 09:15"),
        ("2025/11/10 10:15:00", "DMY", "2025-11-10 09:15"),
        ("10.11.2025 10:15", "MDY", "2025-11-10 09:15"),  # dotted dates are always day first
        ("10/11/2025 10:15", "DMY", "2025-11-10 09:15"),
        ("11/10/2025 10:15", "MDY", "2025-11-10 09:15"),
        ("11/10/2025 10:15 AM", "MDY", "2025-11-10 09:15"),
        ("Nov 10, 2025 10:15 AM", "DMY", "2025-11-10 09:15"),
        ("10 Nov 2025 10:15", "DMY", "2025-11-10 09:15"),
        ("2025-07-10 11:15", "DMY", "2025-07-10 09:15"),  # CEST in summer
        ("2025-10-26 02:30+02:00", "DMY", "2025-10-26 00:30"),  # the repeated autumn hour, with its offset
        ("2025-10-26 02:30+01:00", "DMY", "2025-10-26 01:30"),
        ("Tue Oct 31 22:10:47 +0000 2017", "DMY", "2017-10-31 22:10:47"),  # Twitter/X exports
        ("Wed Nov 01 03:10:47 +0100 2017", "MDY", "2017-11-01 02:10:47"),
    ],
)
def test_common_timestamp_formats(text, order, expected):
    parser = timestamps.TimestampParser(zone=BERLIN, date_order=order, now=NOW)
    assert parser.parse(text) == utc(expected)


@pytest.mark.parametrize(
    "text",
    [
        "Tue Oct 31 22:10:47 +0000 2017",
        "tue oct 31 22:10:47 -0530 2017",  # any case, a negative offset with minutes
        "Sun Mar 30 01:59:59 +1400 2025",
        "Tue Oct 3 22:10:47 +0000 2017",  # a one-digit day
        "Wed Feb 29 10:00:00 +0000 2024",  # a leap day
    ],
)
def test_twitter_times_read_like_their_format_says(text):
    """The Twitter/X form is read without strptime for speed; it must mean what strptime reads."""
    parser = timestamps.TimestampParser(zone=None, date_order="DMY", now=NOW)
    expected = dt.datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    assert parser.parse(text) == expected
    assert parser.parse(text).tzinfo is UTC


@pytest.mark.parametrize(
    "text, message",
    [
        ("Wed Feb 29 10:00:00 +0000 2025", "not a date and time we can read"),  # no leap day in 2025
        ("Tue Oct 32 22:10:47 +0000 2017", "not a date and time we can read"),
        ("Tue Oct 31 24:10:47 +0000 2017", "not a date and time we can read"),
        ("Xyz Oct 31 22:10:47 +0000 2017", "not a date and time we can read"),  # no such weekday
        ("Tue Oct 31 22:10:47 +1500 2017", "impossible UTC offset"),
    ],
)
def test_twitter_times_that_are_not_real_are_refused(text, message):
    parser = timestamps.TimestampParser(zone=None, date_order="DMY", now=NOW)
    with pytest.raises(timestamps.BadTimestamp, match=message):
        parser.parse(text)


@pytest.mark.parametrize(
    "text, zone, message",
    [
        ("2025-11-10 10:15", None, "no UTC offset; choose the time zone"),
        ("2025-03-30 02:30", BERLIN, "does not exist in Europe/Berlin"),
        ("2025-10-26 02:30", BERLIN, "happened twice in Europe/Berlin.*\\+02:00 for the first, \\+01:00"),
        ("2025-11-10", BERLIN, "no time of day"),
        ("yesterday 10:00", BERLIN, "not a date and time we can read"),
        ("13/13/2025 10:00", BERLIN, "check the date order"),
        ("2026-02-01 10:00", BERLIN, "in the future"),
        ("1975-01-01T10:00:00Z", BERLIN, "before 1990"),
        ("2025-11-10 10:15 +1900", BERLIN, "impossible UTC offset"),
    ],
)
def test_timestamps_we_cannot_trust_are_refused_with_a_reason(text, zone, message):
    parser = timestamps.TimestampParser(zone=zone, date_order="DMY", now=NOW)
    with pytest.raises(timestamps.BadTimestamp, match=message):
        parser.parse(text)


@pytest.mark.parametrize(("choice", "expected"), [("earlier", "2025-10-26 00:30"), ("later", "2025-10-26 01:30")])
def test_the_autumn_hour_is_read_as_the_side_the_person_chose(choice, expected):
    parser = timestamps.TimestampParser(zone=BERLIN, date_order="DMY", now=NOW, ambiguous=choice)
    assert parser.parse("26.10.2025 02:30") == utc(expected)
    assert parser.parse("2025-10-26 03:30") == utc("2025-10-26 02:30")  # one hour later is no longer ambiguous


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2025-03-31", "DMY", "2025-03-30 22:00"),
        ("31.03.2025", "MDY", "2025-03-30 22:00"),
        ("03/31/2025", "MDY", "2025-03-30 22:00"),
        ("31/03/2025", "DMY", "2025-03-30 22:00"),
        ("31 Mar 2025", "DMY", "2025-03-30 22:00"),
        ("2025-03-31 14:05", "DMY", "2025-03-31 12:05"),
    ],
)
def test_dates_without_a_time_are_local_midnight_where_an_import_allows_them(text, order, expected):
    parser = timestamps.TimestampParser(zone=BERLIN, date_order=order, now=NOW, dates_only=True)
    assert parser.parse(text) == utc(expected)


def rows(*values, column="created"):
    return [(n, column, value) for n, value in enumerate(values, start=2)]


def test_a_file_whose_days_are_all_up_to_12_is_refused_until_the_order_is_given():
    values = rows("03/04/2026 10:00", "05/06/2026 11:00", "12/12/2026 09:00", "2026-01-02 10:00")
    with pytest.raises(timestamps.DateOrderNeeded, match="2 dates like 03/04/2025 .* Choose the date order"):
        timestamps.settle_date_order(values)
    chosen = timestamps.settle_date_order(values, "mdy")
    assert (chosen.order, chosen.chosen_by, chosen.either_way) == ("MDY", "person", 2)
    assert chosen.note == "Dates read as month/day/year, as chosen."


@pytest.mark.parametrize(
    ("values", "order", "note"),
    [
        (
            rows("03/04/2026 10:00", "04/05/2026 10:00", "03/25/2026 10:00", "03/26/2026 10:00"),
            "MDY",
            "Dates read as month/day/year: row 4 has 03/25/2026 10:00 (created).",
        ),
        (
            rows("03/04/2026 10:00", "25-03-2026 10:00"),
            "DMY",
            "Dates read as day/month/year: row 3 has 25-03-2026 10:00 (created).",
        ),
    ],
)
def test_one_unambiguous_row_settles_the_order_and_the_report_says_which(values, order, note):
    settled = timestamps.settle_date_order(values)
    assert (settled.order, settled.chosen_by, settled.note) == (order, "file", note)


def test_a_file_that_settles_both_ways_is_refused_naming_both_rows():
    with pytest.raises(timestamps.DateOrderNeeded, match="row 2 has 25/03/2026 .* row 3 has 03/25/2026"):
        timestamps.settle_date_order(rows("25/03/2026 10:00", "03/25/2026 10:00"))


def test_iso_dotted_and_same_day_month_dates_need_no_order():
    settled = timestamps.settle_date_order(
        rows("2026-03-04 10:00", "04.03.2026 10:00", "05/05/2026 10:00", "1762766100")
    )
    assert (settled.chosen_by, settled.note) == ("nothing to settle", "")


def test_the_settled_order_reads_the_rows_the_same_way_as_the_file_says():
    values = rows("03/04/2025 10:00", "03/25/2025 10:00")
    parser = timestamps.TimestampParser(zone=BERLIN, date_order=timestamps.settle_date_order(values).order, now=NOW)
    assert [parser.parse(v) for _, _, v in values] == [utc("2025-03-04 09:00"), utc("2025-03-25 09:00")]


@pytest.mark.parametrize("value", ["dmy", "DMY", "day/month/year", "MDY"])
def test_the_date_order_is_taken_as_people_write_it(value):
    assert timestamps.date_order_named(value) in ("DMY", "MDY")


def test_an_unknown_date_order_is_refused():
    with pytest.raises(ValidationError, match="dmy .* or mdy"):
        timestamps.date_order_named("ymd")


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "30.03.2025 02:30",
            "„30.03.2025 02:30“ gibt es in Europe/Berlin nicht: In dieser Stunde wurde die Uhr vorgestellt. "
            "Ergänze den UTC-Versatz zur Zeit.",
        ),
        (
            "26.10.2025 02:30",
            "„26.10.2025 02:30“ gab es in Europe/Berlin zweimal (in dieser Nacht wurde die Uhr zurückgestellt): "
            "Ergänze den Versatz (+02:00 für die erste, +01:00 für die zweite) oder wähl, solche Zeiten als die "
            "frühere oder die spätere zu lesen.",
        ),
        ("gestern 10:00", "„gestern 10:00“ ist kein Datum mit Uhrzeit, das wir lesen können"),
    ],
    ids=["gap", "overlap", "unreadable"],
)
def test_the_reasons_read_german_for_a_german_reader(text, message):
    parser = timestamps.TimestampParser(zone=BERLIN, date_order="DMY", now=NOW)
    with using("de"), pytest.raises(timestamps.BadTimestamp) as refused:
        parser.parse(text)
    assert str(refused.value).startswith(message)


def test_the_date_order_question_reads_german_with_the_count_in_german_digits():
    values = [(row, "Eingang", "03/04/2025 10:00") for row in range(2, 1236)]
    with using("de"), pytest.raises(timestamps.DateOrderNeeded) as asked:
        timestamps.settle_date_order(values)
    assert str(asked.value) == (
        "1.234 Daten wie 03/04/2025 könnten der 3. April oder der 4. März sein, und kein Datum in der Datei "
        "klärt das. Wähl die Datumsreihenfolge: Tag/Monat/Jahr oder Monat/Tag/Jahr."
    )
    with using("de"):
        chosen = timestamps.settle_date_order(values, "MDY")
        assert chosen.note == "Daten wie gewählt als Monat/Tag/Jahr gelesen."
