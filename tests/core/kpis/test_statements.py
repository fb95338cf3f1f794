"""The KPI overview (every family for the period and the one before, and the trends, as the
screen reads them) sends a bounded number of SQL statements: at most 40, and the same number on
the demo workspace as on the demo with several times its conversations, posts, ideas, givers,
loop items and moderation — no statement per row, per item or per period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from core import demo, workspace
from core.handles import handle_key
from core.kpis import overview
from core.kpis.periods import Period, PeriodKind, default_period
from db.models import (
    Channel,
    Conversation,
    EscalationTeam,
    Idea,
    IdeaGiver,
    LoopItem,
    LoopItemIdea,
    LoopThanks,
    ModerationAction,
    ModerationFlag,
    Post,
)

TODAY = dt.date(2026, 3, 18)
NOW = dt.datetime(2026, 3, 18, 16, 0, tzinfo=dt.UTC)
MAX_STATEMENTS = 40


def _grow(session: Session, periods: list[Period], *, per_day: int) -> None:
    """Several times the demo's data on every day of ``periods``, shaped like it: questions and
    complaints answered early or late, escalations, UGC, posts with metrics, ideas with givers that
    are shipped and announced, loop items with thanks and impact categories, flags and actions."""
    tz = workspace.timezone(session)
    channels = session.exec(select(Channel).order_by(col(Channel.id))).all()
    team = session.exec(select(EscalationTeam).order_by(col(EscalationTeam.id))).first()
    assert channels and team is not None, "the demo has channels and escalation teams"
    days = [p.start + dt.timedelta(days=n) for p in periods for n in range(p.days)]
    for d, day in enumerate(days):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=tz).astimezone(dt.UTC)
        channel = channels[d % len(channels)]
        post = Post(
            title=f"Extra post {day.isoformat()}",
            channel_id=channel.id,
            status="published",
            published_at=noon - dt.timedelta(hours=3),
            next_step_type="comment_prompt" if d % 2 else "",
            impressions=1000 + d,
            reactions=40 + d % 9,
            saves=d % 7,
            guide_clicks=d % 5,
            next_step_conversions=d % 11,
        )
        session.add(post)
        session.flush()
        for n in range(per_day):
            received = noon + dt.timedelta(minutes=7 * n)
            handle = f"@Extra Person {d}-{n}"
            kind = ("question", "complaint", "ugc", "praise")[n % 4]
            replied = kind in ("question", "complaint") and n % 5 != 4
            minutes = float(15 + 37 * ((d + n) % 13))
            conversation = Conversation(
                channel_id=channel.id,
                author_handle=handle,
                author_key=handle_key(handle),
                received_at=received,
                kind=kind,
                category=("billing", "app", "delivery")[n % 3],
                status="resolved" if n % 3 else "open",
                resolved_at=received + dt.timedelta(hours=5) if n % 3 else None,
                first_reply_at=received + dt.timedelta(minutes=minutes) if replied else None,
                business_minutes_to_reply=minutes if replied else None,
                calendar_minutes_to_reply=minutes * 1.5 if replied else None,
                deadline_at=received + dt.timedelta(hours=2),
                useful=kind == "ugc" and n % 2 == 0,
                post_id=post.id if n % 2 else None,
                escalation_team_id=team.id if n % 6 == 1 else None,
                escalated_at=received + dt.timedelta(minutes=30) if n % 6 == 1 else None,
                escalation_deadline_at=received + dt.timedelta(hours=8) if n % 6 == 1 else None,
            )
            session.add(conversation)
            session.flush()
            assert conversation.id is not None
            if n % 4 == 3:
                session.add(
                    ModerationFlag(
                        conversation_id=conversation.id,
                        category="toxic",
                        severity="medium",
                        flagged_at=received + dt.timedelta(minutes=5),
                        closed_at=received + dt.timedelta(hours=n % 9 + 1) if n % 8 != 7 else None,
                    )
                )
                session.add(
                    ModerationAction(
                        conversation_id=conversation.id,
                        kind="warned" if n % 8 == 3 else "slow_mode",
                        member_key=conversation.author_key,
                        rule="Be kind",
                        acted_at=received + dt.timedelta(hours=1),
                    )
                )
        ideas = []
        for n in range(max(1, per_day // 4)):
            idea = Idea(
                title=f"Extra idea {day.isoformat()} {n}",
                channel_id=channel.id,
                status="shipped",
                created_at=noon - dt.timedelta(days=5 + (7 * n + 3 * d) % 40),
                valid_at=noon - dt.timedelta(days=10),
                shipped_at=noon,
                category="app",
            )
            session.add(idea)
            session.flush()
            assert idea.id is not None
            ideas.append(idea)
            for g in range(3):
                giver = f"@Extra Person {(d + g * 31) % 97}"
                session.add(
                    IdeaGiver(
                        idea_id=idea.id,
                        handle=giver,
                        handle_key=handle_key(giver),
                        given_at=noon - dt.timedelta(days=g),
                    )
                )
        item = LoopItem(
            what_changed=f"Extra change {day.isoformat()}",
            shipped_on=day,
            announced_at=noon + dt.timedelta(days=d % 20),
            impact_categories="app,billing" if d % 2 else "",
        )
        session.add(item)
        session.flush()
        assert item.id is not None
        for idea in ideas:
            session.add(LoopItemIdea(loop_item_id=item.id, idea_id=idea.id))
        giver = f"@Extra Person {d % 97}"
        session.add(LoopThanks(loop_item_id=item.id, handle=giver, handle_key=handle_key(giver)))
    session.flush()


def _first_lines(*runs: list[str]) -> str:
    return "\n\n".join("\n".join(" ".join(statement.split())[:90] for statement in run) for run in runs)


def _overview_statements(read, sql_statements, period: Period, channel_id: int | None) -> tuple[list[str], dict]:
    with read() as s, sql_statements() as seen:
        shown = overview.kpi_overview(s, start=period.start, end=period.end, channel_id=channel_id, now=NOW)
    return list(seen), {v.key: (v.value, v.previous) for v in shown.values}


# Last month (weekly trends) and the last 13 weeks up to today (monthly trends).
PERIODS = {
    "last month": default_period(PeriodKind.month, TODAY),
    "13 weeks to today": Period(TODAY - dt.timedelta(weeks=13) + dt.timedelta(days=1), TODAY),
}


@pytest.mark.parametrize("period_name", list(PERIODS))
@pytest.mark.parametrize("one_channel", [False, True])
def test_the_kpi_overview_sends_the_same_few_statements_on_little_and_much_data(
    write, read, sql_statements, period_name, one_channel
):
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4)
        channel_id = s.exec(select(col(Channel.id)).order_by(col(Channel.id))).first() if one_channel else None
    period = PERIODS[period_name]
    demo_only, __ = _overview_statements(read, sql_statements, period, channel_id)

    # A little more data of every kind in both periods, then five times that: a statement sent
    # only when there is something to read (a level of merged ideas, an effect to count) may be
    # missing from the demo alone, but no count grows with the data.
    with write() as s:
        _grow(s, [period.previous(), period], per_day=4)
    small, small_figures = _overview_statements(read, sql_statements, period, channel_id)
    with write() as s:
        _grow(s, [period.previous(), period], per_day=20)
    big, big_figures = _overview_statements(read, sql_statements, period, channel_id)

    assert len(demo_only) <= MAX_STATEMENTS, "\n\n".join(demo_only)
    assert len(small) <= MAX_STATEMENTS, "\n\n".join(small)
    assert len(big) == len(small), _first_lines(small, big)
    grown = {key for key in small_figures if small_figures[key] != big_figures[key]}
    # The extra data is in both periods and in every family the overview reads.
    for key in (
        "sla_share",
        "first_response_p90",
        "active_share",
        "next_step_share",
        "valid_proposals",
        "implemented_improvements",
        "escalations",
        "idea_to_shipped_days",
        "givers_thanked_share",
        "posts_answered_within_sla",
        "flagged_share",
        "time_to_moderate",
    ):
        assert key in grown, key


@pytest.mark.parametrize("one_channel", [False, True])
def test_the_kpi_overview_reads_no_table_twice_for_the_same_thing(write, read, sql_statements, one_channel):
    """The figures and the trends share the audience entries and whether ideas and loop items
    exist; the active channels a screen has read already are not read again."""
    with write() as s:
        assert demo.load_demo(s, today=TODAY, password_rounds=4)
        channels = s.exec(select(Channel).where(col(Channel.active)).order_by(col(Channel.name))).all()
        active = tuple((c.id, c.name) for c in channels if c.id is not None)
    channel_id = active[0][0] if one_channel else None
    period = PERIODS["last month"]

    def run(**given) -> tuple[list[str], object]:
        with read() as s, sql_statements() as seen:
            shown = overview.kpi_overview(
                s, start=period.start, end=period.end, channel_id=channel_id, now=NOW, **given
            )
        return [" ".join(statement.split()) for statement in seen], shown

    alone, alone_shown = run()
    given, given_shown = run(active_channels=active)
    assert given_shown == alone_shown  # the same figures, details ("no audience entered for …") included
    assert len(given) == len(alone) - 1
    assert not [s for s in given if "FROM channel" in s]
    for statements in (alone, given):
        twice = {s for s in statements if statements.count(s) > 1}
        assert not twice, "\n\n".join(twice)
        assert len([s for s in statements if "FROM audience_size" in s]) == 1
        assert len([s for s in statements if "EXISTS (SELECT idea.id" in s]) == 1
