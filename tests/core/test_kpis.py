"""The dialog KPIs on small hand-made data sets, each answer worked out in the test.

The workspace time zone is Europe/Berlin (UTC+1 in early March 2025). The period under test is
mostly the week Monday 3 – Sunday 9 March 2025; the previous period is 24 Feb – 2 Mar.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from zoneinfo import ZoneInfo

import pytest

from core import conversations, kpis
from core.errors import ValidationError
from core.kpis import AudienceRow, Period, PeriodKind
from db.models import AudienceSize, IdeaGiver, LoopItem, LoopItemIdea, PostStatus, Role
from tests.factories import make_channel, make_conversation, make_idea, make_post, make_user

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
WEEK = (dt.date(2025, 3, 3), dt.date(2025, 3, 9))
NOW = dt.datetime(2025, 3, 20, 12, tzinfo=UTC)


def berlin(day: int, hour: int, minute: int = 0, *, month: int = 3, second: int = 0, micro: int = 0) -> dt.datetime:
    """A local Berlin time in 2025, as the UTC instant the database stores."""
    return dt.datetime(2025, month, day, hour, minute, second, micro, tzinfo=BERLIN).astimezone(UTC)


def compute(session, start=WEEK[0], end=WEEK[1], *, channel=None, now=NOW) -> dict[str, kpis.KpiValue]:
    values = kpis.compute_kpis(
        session, start=start, end=end, channel_id=None if channel is None else channel.id, now=now
    )
    return {v.key: v for v in values}


def answered(session, channel, *, at, business, calendar, kind="question", **fields):
    """A conversation that needs a reply, answered with these stored SLA figures."""
    return make_conversation(
        session,
        channel=channel,
        received_at=at,
        kind=kind,
        first_reply_at=at + dt.timedelta(minutes=calendar),
        business_minutes_to_reply=business,
        calendar_minutes_to_reply=calendar,
        **fields,
    )


# --- periods (pure) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (PeriodKind.week, dt.date(2025, 3, 5), dt.date(2025, 3, 3), dt.date(2025, 3, 9)),
        (PeriodKind.week, dt.date(2025, 3, 9), dt.date(2025, 3, 3), dt.date(2025, 3, 9)),
        (PeriodKind.month, dt.date(2024, 2, 10), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (PeriodKind.quarter, dt.date(2025, 11, 30), dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ],
)
def test_week_month_and_quarter_contain_the_day(kind, day, start, end):
    period = kpis.period_containing(kind, day)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        ((2025, 3, 3), (2025, 3, 9), ((2025, 2, 24), (2025, 3, 2))),
        # A month's previous period has the same length (31 days), not the calendar month before.
        ((2025, 3, 1), (2025, 3, 31), ((2025, 1, 29), (2025, 2, 28))),
        ((2025, 1, 1), (2025, 1, 1), ((2024, 12, 31), (2024, 12, 31))),
    ],
)
def test_the_previous_period_is_the_same_length_just_before(start, end, previous):
    period = Period(dt.date(*start), dt.date(*end))
    assert period.previous() == Period(dt.date(*previous[0]), dt.date(*previous[1]))
    assert period.previous().days == period.days


def test_a_period_ending_before_it_starts_is_refused_with_what_to_fix():
    with pytest.raises(ValidationError, match="swap the dates"):
        Period(dt.date(2025, 3, 9), dt.date(2025, 3, 3))


def test_utc_bounds_are_local_midnights_and_follow_the_clock_change():
    # 30 March 2025: Berlin moves to summer time, the day has 23 hours.
    lo, hi = Period(dt.date(2025, 3, 30), dt.date(2025, 3, 30)).utc_bounds(BERLIN)
    assert lo == dt.datetime(2025, 3, 29, 23, tzinfo=UTC)
    assert hi == dt.datetime(2025, 3, 30, 22, tzinfo=UTC)


def test_recent_periods_end_today_and_the_default_is_the_last_complete_one():
    today = dt.date(2025, 3, 5)
    weeks = kpis.recent_periods(PeriodKind.week, today, count=3)
    assert weeks[0] == Period(dt.date(2025, 3, 3), dt.date(2025, 3, 5))  # running week, to date
    assert weeks[1] == Period(dt.date(2025, 2, 24), dt.date(2025, 3, 2))
    assert kpis.default_period(PeriodKind.month, today) == Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28))


def test_months_of_a_period_are_clipped_to_it():
    months = Period(dt.date(2025, 1, 20), dt.date(2025, 3, 2)).months()
    assert [(m.start, m.end) for m in months] == [
        (dt.date(2025, 1, 20), dt.date(2025, 1, 31)),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 2)),
    ]


def test_audience_is_averaged_over_the_days_each_entry_covers():
    week = Period(*WEEK)
    rows = [
        AudienceRow(1, dt.date(2025, 3, 1), dt.date(2025, 3, 31), 100),
        # Channel 2: 200 people Mon–Wed (3 days), 400 Thu–Sun (4 days) → (600 + 1600) / 7.
        AudienceRow(2, dt.date(2025, 2, 1), dt.date(2025, 3, 5), 200),
        AudienceRow(2, dt.date(2025, 3, 6), dt.date(2025, 3, 31), 400),
        # Channel 3 covers only Monday: the uncovered days are left out of its average.
        AudienceRow(3, dt.date(2025, 3, 3), dt.date(2025, 3, 3), 50),
        AudienceRow(4, dt.date(2025, 4, 1), dt.date(2025, 4, 30), 999),  # outside the week
    ]
    assert kpis.audience_for(rows, week) == pytest.approx({1: 100.0, 2: 2200 / 7, 3: 50.0})


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (None, "%", "no data yet"),
        (math.nan, "%", "no data yet"),
        (66.666, "%", "66.7 %"),
        (42.4, kpis.MINUTES, "42 min"),
        (125, kpis.MINUTES, "2h 05m"),
        (36 * 60 + 28, kpis.CALENDAR_MINUTES, "1d 12h"),
        (1.25, "per week", "1.2"),
        (237986.0, "impressions", "237,986"),
    ],
)
def test_values_read_the_same_everywhere_and_never_as_nan(value, unit, text):
    assert kpis.format_value(value, unit) == text


def test_every_kpi_has_a_definition_a_unit_a_better_direction_and_a_place_to_work_on_it():
    from ui.frame import PAGES

    assert len({k.key for k in kpis.KPIS}) == len(kpis.KPIS)
    for definition in kpis.KPIS:
        assert definition.definition and definition.unit and definition.empty_hint
        assert definition.better in (kpis.Better.higher, kpis.Better.lower)
        assert definition.page in PAGES
        assert all(key in kpis.KPI_BY_KEY for key in definition.beside)


# --- nothing in the period --------------------------------------------------------------------


def test_an_empty_workspace_has_no_data_for_any_kpi(session, channel):
    values = compute(session)
    assert {key: (v.value, v.previous, v.change) for key, v in values.items()} == {
        key: (None, None, None) for key in values
    }
    assert all(kpis.format_value(v.value, v.unit) == kpis.NO_DATA for v in values.values())


def test_data_only_outside_the_period_leaves_the_period_empty_but_the_previous_one_filled(session, channel):
    answered(session, channel, at=berlin(28, 10, month=2), business=30, calendar=30)
    values = compute(session)
    assert values["first_response_median"].value is None
    assert values["first_response_median"].previous == 30
    assert values["sla_share"].value is None
    assert values["ugc_per_week"].value is None
    assert values["ugc_per_week"].previous == 0


def test_a_naive_now_is_refused(session, channel):
    with pytest.raises(ValidationError):
        kpis.compute_kpis(session, start=WEEK[0], end=WEEK[1], channel_id=None, now=dt.datetime(2025, 3, 20))


# --- speed of dialog --------------------------------------------------------------------------


def test_response_times_interpolate_median_and_p90_and_leave_out_data_problems(session, channel):
    for business, calendar in ((10, 15), (20, 25), (40, 200), (30, 100)):
        answered(session, channel, at=berlin(4, 10), business=business, calendar=calendar)
    # Left out: a reply stamped before the message, a "no reply needed" item, UGC, an open question.
    make_conversation(
        session,
        channel=channel,
        received_at=berlin(4, 11),
        kind="question",
        first_reply_at=berlin(4, 10),
        reply_before_message=True,
    )
    answered(session, channel, at=berlin(5, 10), business=999, calendar=999, status="no_reply_needed")
    answered(session, channel, at=berlin(5, 10), business=999, calendar=999, kind="ugc")
    make_conversation(session, channel=channel, received_at=berlin(5, 12), kind="complaint")

    values = compute(session)
    # Sorted business minutes 10, 20, 30, 40: median between 20 and 30; p90 at position 0.9·3 = 2.7.
    assert values["first_response_median"].value == pytest.approx(25.0)
    assert values["first_response_p90"].value == pytest.approx(30 + 0.7 * 10)
    # Calendar minutes 15, 25, 100, 200.
    assert values["first_response_median_calendar"].value == pytest.approx(62.5)
    assert values["first_response_p90_calendar"].value == pytest.approx(100 + 0.7 * 100)
    assert values["replies_before_message"].value == 1
    assert "4 answered" in values["first_response_median"].detail
    assert "1 with a reply stamped before the message left out" in values["first_response_median"].detail


def test_one_answered_conversation_is_its_own_median_and_p90(session, channel):
    answered(session, channel, at=berlin(3, 9), business=7.5, calendar=8)
    values = compute(session)
    assert values["first_response_median"].value == values["first_response_p90"].value == 7.5


def test_the_period_is_local_days_in_the_workspace_time_zone(session, channel):
    # Monday 00:30 in Berlin is Sunday 23:30 UTC: it belongs to the week starting that Monday;
    # Sunday 23:30 in Berlin (22:30 UTC) is the last moment of the week; Monday after is outside.
    answered(session, channel, at=berlin(3, 0, 30), business=10, calendar=10)
    answered(session, channel, at=berlin(9, 23, 30), business=20, calendar=20)
    answered(session, channel, at=berlin(10, 0, 0), business=500, calendar=500)
    answered(session, channel, at=berlin(2, 23, 59), business=700, calendar=700)
    values = compute(session)
    assert values["first_response_median"].value == pytest.approx(15.0)
    assert values["first_response_median"].previous == pytest.approx(700.0)


def test_sla_share_counts_met_and_breached_and_leaves_out_open_not_due_and_no_reply_needed(session, channel):
    now = berlin(6, 12)
    deadline = berlin(4, 12)

    def item(**fields):
        fields.setdefault("kind", "question")
        return make_conversation(
            session, channel=channel, received_at=berlin(4, 10), deadline_at=fields.pop("deadline", deadline), **fields
        )

    item(first_reply_at=berlin(4, 11))  # met
    item(first_reply_at=deadline)  # met: a reply at the deadline itself is within the SLA
    item(first_reply_at=berlin(4, 12, 1), kind="complaint")  # breached: late
    item()  # breached: no reply and the deadline has passed
    item(deadline=berlin(7, 9))  # open, not due yet: in neither
    item(first_reply_at=berlin(5, 9), status="no_reply_needed")  # no reply needed: in neither
    item(first_reply_at=berlin(4, 9), reply_before_message=True)  # data problem: in neither
    item(first_reply_at=berlin(4, 11), deadline=None)  # no policy applied: in neither
    item(kind="praise")  # praise needs no reply

    values = compute(session, now=now)
    assert values["sla_share"].value == pytest.approx(50.0)
    assert values["sla_share"].detail == "2 met, 2 breached"
    # Later, the open item's deadline passes without a reply: it counts as breached.
    assert compute(session, now=berlin(7, 9))["sla_share"].value == pytest.approx(40.0)


def test_a_conversation_marked_no_reply_needed_stays_out_of_the_sla_share_once_resolved(session, channel):
    # The SLA monitor's own flow: mark "no reply needed" (reason kept), then resolve it. Its status
    # is "resolved" now, but it was marked: it must not turn into a breach when its deadline passes.
    support = make_user(session, Role.support)
    deadline = berlin(4, 12)
    spam = make_conversation(session, channel=channel, received_at=berlin(4, 10), kind="question", deadline_at=deadline)
    marked = conversations.mark_no_reply_needed(
        session=session,
        actor=support,
        conversation_id=spam.id,
        expected_version=spam.version,
        reason="Spam, nothing to answer",
    )
    conversations.resolve(
        session=session, actor=support, conversation_id=spam.id, expected_version=marked.version, now=berlin(4, 11)
    )
    # One real breach beside it: the same deadline, never answered.
    make_conversation(session, channel=channel, received_at=berlin(4, 10), kind="complaint", deadline_at=deadline)
    make_conversation(
        session,
        channel=channel,
        received_at=berlin(4, 10),
        kind="question",
        deadline_at=deadline,
        first_reply_at=berlin(4, 11),
    )  # met

    value = compute(session, now=berlin(6, 12))["sla_share"]
    assert value.detail == "1 met, 1 breached"
    assert value.value == pytest.approx(50.0)


def test_closed_without_escalation_is_the_share_of_resolved_never_escalated(session, channel):
    for fields in (
        {},
        {"kind": "praise"},
        {"escalated_at": berlin(4, 12)},
        {"escalation_team_id": None, "escalated_at": None, "escalation_reason": "asked the team"},
    ):
        make_conversation(
            session, channel=channel, received_at=berlin(4, 10), status="resolved", resolved_at=berlin(4, 13), **fields
        )
    from db.models import EscalationTeam

    team = EscalationTeam(name="Billing")
    session.add(team)
    session.flush()
    make_conversation(
        session, channel=channel, received_at=berlin(4, 10), status="resolved", escalation_team_id=team.id
    )
    make_conversation(session, channel=channel, received_at=berlin(4, 10), status="waiting")  # not resolved
    values = compute(session)
    # Resolved: 5; escalated: the one with a time and the one with a team → 3 of 5.
    assert values["closed_without_escalation"].value == pytest.approx(60.0)
    assert values["closed_without_escalation"].detail == "3 of 5 resolved"


# --- community --------------------------------------------------------------------------------


def test_active_share_counts_each_person_once_against_the_audience_of_the_period(session, channel):
    telegram = make_channel(session, name="Telegram")
    make_conversation(session, channel=channel, received_at=berlin(4, 10), author_handle="@ann")
    make_conversation(session, channel=channel, received_at=berlin(5, 10), author_handle="@ann")
    make_conversation(session, channel=telegram, received_at=berlin(5, 10), author_handle="@bob")
    idea = make_idea(session, channel_id=channel.id)
    session.add_all(
        [
            IdeaGiver(idea_id=idea.id, handle="@cleo", channel_id=channel.id, given_at=berlin(6, 10)),
            IdeaGiver(idea_id=idea.id, handle="@ann", channel_id=channel.id, given_at=berlin(6, 10)),
            IdeaGiver(idea_id=make_idea(session).id, handle="@dan", given_at=berlin(20, 10, month=2)),  # before
        ]
    )
    session.add_all(
        [
            AudienceSize(
                channel_id=channel.id, period_start=dt.date(2025, 3, 1), period_end=dt.date(2025, 3, 31), size=100
            ),
            AudienceSize(
                channel_id=telegram.id, period_start=dt.date(2025, 2, 1), period_end=dt.date(2025, 3, 5), size=200
            ),
            AudienceSize(
                channel_id=telegram.id, period_start=dt.date(2025, 3, 6), period_end=dt.date(2025, 3, 31), size=400
            ),
        ]
    )
    session.flush()

    everything = compute(session)["active_share"]
    # @ann, @bob, @cleo over 100 + (200·3 + 400·4) / 7 people.
    assert everything.value == pytest.approx(3 / (100 + 2200 / 7) * 100)
    # Instagram alone: @ann and @cleo (their idea is Instagram's) over 100.
    assert compute(session, channel=channel)["active_share"].value == pytest.approx(2.0)
    assert compute(session, channel=telegram)["active_share"].value == pytest.approx(1 / (2200 / 7) * 100)


def test_active_share_without_an_audience_has_no_data_and_names_the_channel(session, channel):
    make_conversation(session, channel=channel, received_at=berlin(4, 10))
    value = compute(session)["active_share"]
    assert value.value is None
    assert "no audience size for Instagram" in value.detail


def test_ugc_per_week_and_the_share_marked_useful(session, channel):
    start, end = dt.date(2025, 3, 3), dt.date(2025, 3, 16)  # two weeks
    for useful in (True, True, False):
        make_conversation(session, channel=channel, received_at=berlin(10, 10), kind="ugc", useful=useful)
    make_conversation(session, channel=channel, received_at=berlin(10, 10), kind="question", useful=True)
    values = compute(session, start, end)
    assert values["ugc_per_week"].value == pytest.approx(1.5)
    assert values["ugc_useful_share"].value == pytest.approx(200 / 3)


def test_returns_d7_and_d30_of_people_first_seen_in_the_period(session, channel):
    other = make_channel(session, name="Forum")
    first = berlin(4, 10, second=0, micro=250_000)

    def seen(handle, at, where=channel):
        make_conversation(session, channel=where, received_at=at, author_handle=handle)

    seen("@old", berlin(20, 10, month=2))  # seen before the period: not new
    seen("@old", berlin(4, 10))
    seen("@once", first)  # seen only once
    seen("@back3", first)
    seen("@back3", first + dt.timedelta(days=3))
    idea = make_idea(session, channel_id=channel.id)
    session.add(IdeaGiver(idea_id=idea.id, handle="@back20", channel_id=channel.id, given_at=first))
    seen("@back20", first + dt.timedelta(days=20))
    seen("@exactly7", first)
    seen("@exactly7", first + dt.timedelta(days=7))  # exactly 7 × 24 h later: within D7
    seen("@late7", first)
    seen("@late7", first + dt.timedelta(days=7, microseconds=1))  # a hair later: D30 only
    seen("@same", first)
    seen("@same", first, where=other)  # the same instant is not "another, after"
    seen("@elsewhere", first)
    seen("@elsewhere", first + dt.timedelta(days=2), where=other)
    session.flush()

    values = compute(session)
    # New: @once, @back3, @back20, @exactly7, @late7, @same, @elsewhere = 7.
    # Back within 7 days: @back3, @exactly7, @elsewhere; within 30: those and @back20, @late7.
    assert values["returns_d7"].value == pytest.approx(3 / 7 * 100)
    assert values["returns_d30"].value == pytest.approx(5 / 7 * 100)
    assert values["returns_d7"].detail == "3 of 7 new people back within 7 days"
    # Instagram alone: @elsewhere's return was in the forum; @same is back nowhere.
    instagram = compute(session, channel=channel)
    assert instagram["returns_d7"].value == pytest.approx(2 / 7 * 100)
    assert instagram["returns_d30"].value == pytest.approx(4 / 7 * 100)


def test_nobody_new_in_the_period_means_no_returns_data(session, channel):
    make_conversation(session, channel=channel, received_at=berlin(20, 10, month=2), author_handle="@old")
    make_conversation(session, channel=channel, received_at=berlin(4, 10), author_handle="@old")
    values = compute(session)
    assert values["returns_d7"].value is None and values["returns_d30"].value is None


# --- content and display ----------------------------------------------------------------------


def test_post_kpis_use_published_posts_of_the_period_with_metrics_entered(session, channel):
    def post(at, status=PostStatus.published, **fields):
        return make_post(
            session,
            channel=channel,
            status=status,
            scheduled_at=at,
            published_at=at if status == PostStatus.published else None,
            **fields,
        )

    post(
        berlin(4, 9),
        next_step_type="poll",
        impressions=1000,
        reactions=50,
        saves=5,
        guide_clicks=5,
        next_step_conversions=10,
    )
    post(berlin(5, 9), next_step_type="form")  # metrics not entered yet
    post(berlin(6, 9), impressions=500, reactions=30, saves=20, guide_clicks=None)
    post(berlin(7, 9), status=PostStatus.scheduled, next_step_type="poll", impressions=9999)
    post(
        berlin(27, 9, month=2), next_step_type="poll", impressions=100, saves=1, guide_clicks=1, next_step_conversions=4
    )

    values = compute(session)
    assert values["next_step_share"].value == pytest.approx(200 / 3)
    assert values["next_step_conversion"].value == pytest.approx(1.0)  # 10 of 1000
    assert values["content_utility"].value == pytest.approx((5 + 5 + 20) / 2)
    assert values["published_posts"].value == 3
    assert values["impressions"].value == 1500
    assert values["reactions"].value == 80
    assert values["next_step_conversion"].previous == pytest.approx(4.0)
    assert values["published_posts"].previous == 1


def test_content_utility_counts_saves_and_clicks_entered_before_the_impressions(session, channel):
    def post(at, **fields):
        return make_post(
            session, channel=channel, status=PostStatus.published, scheduled_at=at, published_at=at, **fields
        )

    post(berlin(4, 9), impressions=800, saves=3, guide_clicks=None)
    post(berlin(5, 9), saves=6, guide_clicks=4)  # impressions not known yet: its saves and clicks still count
    post(berlin(6, 9))  # nothing entered yet: left out, not a zero
    values = compute(session)
    assert values["content_utility"].value == pytest.approx((3 + 6 + 4) / 2)
    assert values["content_utility"].detail == "13 saves and clicks on 2 posts"
    # The display KPIs and conversions still read the posts with impressions only.
    assert values["impressions"].value == 800


# --- product footprint ------------------------------------------------------------------------


def test_valid_proposals_count_per_month_by_the_date_they_became_valid(session, channel):
    start, end = dt.date(2025, 2, 15), dt.date(2025, 3, 14)
    make_idea(session, status="valid", valid_at=berlin(20, 10, month=2))
    make_idea(session, status="shipped", valid_at=berlin(28, 23, 30, month=2))  # still February in Berlin
    make_idea(session, status="planned", valid_at=berlin(1, 0, 30))  # 28 Feb 23:30 UTC: March in Berlin
    original = make_idea(session, status="valid", valid_at=berlin(3, 10))
    make_idea(session, status="valid", valid_at=berlin(4, 10), merged_into_id=original.id)  # duplicate
    make_idea(session, status="new")
    make_idea(session, status="valid", valid_at=berlin(15, 10))  # after the period
    value = compute(session, start, end)["valid_proposals"]
    assert value.value == 4
    assert value.breakdown == (("2025-02", 2.0), ("2025-03", 2.0))


def test_valid_proposals_have_no_data_until_an_idea_is_logged(session, channel):
    assert compute(session)["valid_proposals"].value is None
    make_idea(session, status="new")
    assert compute(session)["valid_proposals"].value == 0


def test_implemented_improvements_per_month_with_their_measured_effect(session, channel):
    start, end = dt.date(2025, 2, 15), dt.date(2025, 3, 14)
    idea = make_idea(session, channel_id=channel.id)
    measured = LoopItem(what_changed="Dark mode is live", shipped_on=dt.date(2025, 2, 20), nps_before=30, nps_after=42)
    unmeasured = LoopItem(what_changed="Faster export", shipped_on=dt.date(2025, 3, 14))
    outside = LoopItem(what_changed="Old change", shipped_on=dt.date(2025, 2, 14))
    session.add_all([measured, unmeasured, outside])
    session.flush()
    session.add(LoopItemIdea(loop_item_id=measured.id, idea_id=idea.id))
    session.flush()

    value = compute(session, start, end)["implemented_improvements"]
    assert value.value == 2
    assert value.previous == 1
    assert value.breakdown == (("2025-02", 1.0), ("2025-03", 1.0))
    assert value.notes[0].startswith("14 Mar 2025: Faster export — effect not measured")
    assert value.notes[1] == "20 Feb 2025: Dark mode is live — NPS 30 → 42 (+12)"
    assert value.detail.startswith("1 of the 2 listed with a measured effect")
    # For one channel: only loop items answering that channel's ideas.
    assert compute(session, start, end, channel=channel)["implemented_improvements"].value == 1


# --- comparison, trends, reports --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "previous", "better", "direction", "improved"),
    [
        (30.0, 20.0, kpis.Better.higher, "up", True),
        (30.0, 20.0, kpis.Better.lower, "up", False),
        (10.0, 20.0, kpis.Better.lower, "down", True),
        (10.0, 10.0, kpis.Better.higher, "flat", None),
        (None, 10.0, kpis.Better.higher, None, None),
    ],
)
def test_change_direction_and_better_follow_the_kpi(value, previous, better, direction, improved):
    definition = kpis.KpiDefinition("k", "K", kpis.Family.speed, "%", better, "d", "sla", "hint")
    kpi = kpis.KpiValue(definition, value, previous)
    assert kpi.direction == direction
    assert kpi.improved is improved


def test_weekly_trend_medians_match_the_kpi_of_each_week(session, channel):
    answered(session, channel, at=berlin(4, 10), business=10, calendar=10)
    answered(session, channel, at=berlin(4, 11), business=30, calendar=30)
    answered(session, channel, at=berlin(11, 10), business=5, calendar=5)
    answered(session, channel, at=berlin(11, 10), business=6, calendar=6)
    answered(session, channel, at=berlin(12, 10), business=100, calendar=100)
    make_conversation(session, channel=channel, received_at=berlin(12, 10), kind="ugc", useful=True)
    trend = kpis.kpi_trends(session, end=dt.date(2025, 3, 16), grain=kpis.Grain.week, count=3, channel_id=None, now=NOW)
    assert [b.start for b in trend.buckets] == [dt.date(2025, 2, 24), dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    series = {s.key: s.values for family in trend.families.values() for s in family}
    assert series["first_response_median"] == (None, 20.0, 6.0)
    for bucket, expected in zip(trend.buckets[1:], series["first_response_median"][1:], strict=True):
        assert compute(session, bucket.start, bucket.end)["first_response_median"].value == expected
    assert series["ugc_per_week"] == (None, 0.0, 1.0)
    assert series["ugc_useful_share"] == (None, None, 100.0)


def test_the_json_report_carries_every_kpi_with_unit_previous_value_and_definition(session, channel):
    answered(session, channel, at=berlin(4, 10), business=10, calendar=12)
    values = kpis.compute_kpis(session, start=WEEK[0], end=WEEK[1], channel_id=None, now=NOW)
    report = json.loads(kpis.report_json(values, period=Period(*WEEK), channel=None, generated_at=NOW))
    assert report["period"] == {"from": "2025-03-03", "to": "2025-03-09"}
    assert report["previous_period"] == {"from": "2025-02-24", "to": "2025-03-02"}
    assert [k["key"] for k in report["kpis"]] == [d.key for d in kpis.KPIS]
    median = next(k for k in report["kpis"] if k["key"] == "first_response_median")
    assert (median["value"], median["previous"], median["unit"], median["better"]) == (
        10.0,
        None,
        "business min",
        "lower",
    )
    csv_lines = kpis.report_csv(values).splitlines()
    assert csv_lines[0] == ",".join(kpis.CSV_COLUMNS)
    assert csv_lines[1].startswith("first_response_median,First response (median),speed,business min,lower,10.0,,,")
