"""Benchmark the business-time engine against the ``businesstimedelta`` library.

Run from the repository root: ``python bench/bench_business_time.py [--count N] [--seed S]``.

For N conversations (received at seeded random instants over 2025, replied 0–72 hours later)
it times ``deadline(received, 2 h)`` plus ``elapsed(received, replied)`` with our engine and the
same two questions with ``businesstimedelta`` on a calendar both can express (Mon–Fri 09:00–18:00,
lunch 13:00–14:00, Europe/Berlin; without holidays and with the German public holidays), then
counts where the answers differ. A smaller probe compares calendars where the two libraries follow
different rules: an overnight shift and opening hours inside the clock changes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import businesstimedelta  # noqa: E402
import holidays  # noqa: E402
import pytz  # noqa: E402

from core.sla.business_time import WEEKDAYS, BusinessCalendar  # noqa: E402

UTC = UTC
TWO_HOURS = timedelta(hours=2)
BERLIN_NAME = "Europe/Berlin"
WORKDAY_NUMBERS = [0, 1, 2, 3, 4]
SPEED_UP_TARGET = 10

Span = tuple[datetime, datetime]
Answers = list[tuple[datetime, timedelta]]


def make_spans(count: int, seed: int, first: datetime, days: int, max_reply_hours: int) -> list[Span]:
    """Seeded conversations: received at a whole second in the period, replied 0–N hours later."""
    rng = random.Random(seed)
    spans = []
    for _ in range(count):
        received = first + timedelta(seconds=rng.randrange(days * 86_400))
        replied = received + timedelta(seconds=rng.randrange(max_reply_hours * 3600 + 1))
        spans.append((received, replied))
    return spans


def run_ours(make_calendar: Callable[[], BusinessCalendar], spans: list[Span]) -> tuple[float, Answers]:
    started = time.perf_counter()
    calendar = make_calendar()  # a fresh calendar: its caches fill inside the timing
    answers = [
        (calendar.deadline(received, TWO_HOURS), calendar.elapsed(received, replied)) for received, replied in spans
    ]
    return time.perf_counter() - started, answers


def run_theirs(make_rules: Callable[[], businesstimedelta.Rule], spans: list[Span]) -> tuple[float, Answers]:
    started = time.perf_counter()
    rules = make_rules()
    answers = []
    for received, replied in spans:
        due = received + businesstimedelta.BusinessTimeDelta(rules, hours=2)
        answers.append((due, rules.difference(received, replied).timedelta))
    return time.perf_counter() - started, answers


def office_calendar(country: str | None) -> Callable[[], BusinessCalendar]:
    def make() -> BusinessCalendar:
        return BusinessCalendar.from_dict(
            {
                "timezone": BERLIN_NAME,
                "weekly": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in WEEKDAYS[:5]},
                "country": country,
            }
        )

    return make


def office_rules(country: str | None) -> Callable[[], businesstimedelta.Rule]:
    def make() -> businesstimedelta.Rule:
        zone = pytz.timezone(BERLIN_NAME)
        rules = [
            businesstimedelta.WorkDayRule(
                start_time=wall_time(9), end_time=wall_time(18), working_days=WORKDAY_NUMBERS, tz=zone
            ),
            businesstimedelta.LunchTimeRule(
                start_time=wall_time(13), end_time=wall_time(14), working_days=WORKDAY_NUMBERS, tz=zone
            ),
        ]
        if country:
            rules.append(businesstimedelta.HolidayRule(holidays.country_holidays(country), tz=zone))
        return businesstimedelta.Rules(rules)

    return make


def every_day_calendar(intervals: list[list[str]]) -> Callable[[], BusinessCalendar]:
    def make() -> BusinessCalendar:
        return BusinessCalendar.from_dict({"timezone": BERLIN_NAME, "weekly": {day: intervals for day in WEEKDAYS}})

    return make


def every_day_rules(opening: wall_time, closing: wall_time) -> Callable[[], businesstimedelta.Rule]:
    def make() -> businesstimedelta.Rule:
        zone = pytz.timezone(BERLIN_NAME)
        return businesstimedelta.Rules(
            [businesstimedelta.WorkDayRule(start_time=opening, end_time=closing, working_days=list(range(7)), tz=zone)]
        )

    return make


def disagreements(spans: list[Span], ours: Answers, theirs: Answers) -> tuple[list[int], list[int]]:
    """Indexes of spans whose deadline, and whose elapsed time, differ between the engines."""
    deadline_diff = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a[0] != b[0]]
    elapsed_diff = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a[1] != b[1]]
    return deadline_diff, elapsed_diff


def describe(spans: list[Span], ours: Answers, theirs: Answers, index: int) -> str:
    zone = pytz.timezone(BERLIN_NAME)
    received, replied = spans[index]
    return (
        f"received {received.astimezone(zone):%Y-%m-%d %H:%M %Z}, "
        f"replied {replied.astimezone(zone):%Y-%m-%d %H:%M %Z}: "
        f"deadline {ours[index][0].astimezone(zone):%Y-%m-%d %H:%M %Z} (ours) vs "
        f"{theirs[index][0].astimezone(zone):%Y-%m-%d %H:%M %Z}, "
        f"elapsed {ours[index][1]} (ours) vs {theirs[index][1]}"
    )


def compare(
    label: str, spans: list[Span], calendar, rules, why: str | None = None, examples: int = 2
) -> tuple[float, float]:
    ours_seconds, ours = run_ours(calendar, spans)
    theirs_seconds, theirs = run_theirs(rules, spans)
    deadline_diff, elapsed_diff = disagreements(spans, ours, theirs)
    print(f"calendar: {label}")
    print(
        f"business_time.deadline+elapsed {len(spans)} spans: {ours_seconds:.2f} s (ours) vs "
        f"{theirs_seconds:.2f} s (businesstimedelta), ratio {theirs_seconds / ours_seconds:.1f}x"
    )
    print(f"disagreements: {len(deadline_diff)} deadlines, {len(elapsed_diff)} elapsed times")
    if why and (deadline_diff or elapsed_diff):
        print(f"  rule difference: {why}")
    for index in sorted(set(deadline_diff) | set(elapsed_diff))[:examples]:
        print(f"  e.g. {describe(spans, ours, theirs, index)}")
    return ours_seconds, theirs_seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="conversations per calendar")
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args()

    year_spans = make_spans(args.count, args.seed, datetime(2025, 1, 1, tzinfo=UTC), 365, 72)
    ratios = []
    for label, country in (("no holidays", None), ("DE public holidays", "DE")):
        ours, theirs = compare(
            f"Mon-Fri 09:00-18:00, lunch 13:00-14:00, Europe/Berlin, {label}",
            year_spans,
            office_calendar(country),
            office_rules(country),
        )
        ratios.append(theirs / ours)
    slowest = min(ratios)
    print(
        f"speed-up over businesstimedelta: {slowest:.1f}x at least (target >= {SPEED_UP_TARGET}x) "
        f"{'OK' if slowest >= SPEED_UP_TARGET else 'SLOW'}"
    )

    # Where the rules differ: a smaller probe around the 2025 clock changes.
    probe_count = max(1, args.count // 10)
    spring, autumn = datetime(2025, 3, 28, tzinfo=UTC), datetime(2025, 10, 24, tzinfo=UTC)
    dst_spans = make_spans(probe_count // 2, args.seed + 1, spring, 4, 24)
    dst_spans += make_spans(probe_count - probe_count // 2, args.seed + 2, autumn, 4, 24)
    print()
    print("probe: rules that differ (spans within 2 days of the 2025 Berlin clock changes)")
    compare(
        "every night 22:00-06:00 (ours: two intervals split at midnight; theirs: 22:00->06:00)",
        dst_spans,
        every_day_calendar([["00:00", "06:00"], ["22:00", "24:00"]]),
        every_day_rules(wall_time(22), wall_time(6)),
        why="businesstimedelta ignores a night shift already running at the start instant "
        "(at 23:00 or 03:00 it waits for the next 22:00)",
    )
    compare(
        "every day 02:30-05:00 (bounds inside the clock changes)",
        dst_spans,
        every_day_calendar([["02:30", "05:00"]]),
        every_day_rules(wall_time(2, 30), wall_time(5)),
        why="pytz localize(is_dst=False) puts the missing 02:30 of 30 March at 03:30 CEST (ours: "
        "03:00, the end of the gap) and the repeated 02:30 of 26 October at its second "
        "occurrence (ours: the first)",
    )
    return 0 if slowest >= SPEED_UP_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
