"""The 60-day rollout: each step ticked from hand-made data where it can be, by hand otherwise."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.community import moderation, rollout
from core.errors import ConflictError, PermissionDenied
from core.i18n import using
from db.models import (
    Channel,
    ConversationKind,
    IdeaSource,
    LoopItem,
    LoopStatus,
    PostStatus,
    Rubric,
    WeeklyDigestNote,
    Workspace,
)
from tests.factories import make_conversation, make_idea, make_post, make_quick_answer, make_sla_policy

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def workspace(team, write) -> int:
    """The team's workspace, its rollout begun on 1 March 2025 (before all the evidence of these tests)."""
    with write() as s:
        ws = s.exec(select(Workspace)).one()
        ws.created_at = dt.datetime(2025, 3, 1, 8, tzinfo=UTC)
        return ws.id


def state(read, key: str) -> rollout.StepState:
    with read() as s:
        return next(x for x in rollout.rollout_plan(s).steps if x.step.key == key)


def published_in(s, channel, rubric_name: str, at: dt.datetime = dt.datetime(2026, 5, 1, tzinfo=UTC)):
    rubric = s.exec(select(Rubric).where(Rubric.name == rubric_name)).one()
    return make_post(s, channel=channel, rubric_id=rubric.id, status=PostStatus.published, published_at=at)


def test_every_step_is_open_in_a_new_workspace_with_its_dates(team, read):
    with read() as s:
        plan = rollout.rollout_plan(s)
    assert plan.done == 0 and not plan.finished
    assert [x.step.key for x in plan.steps] == [s.key for s in rollout.STEPS]
    last = plan.steps[-1]
    assert (last.due_on - plan.started_on).days == 59
    assert last.overdue(plan.started_on + dt.timedelta(days=60)) and not last.overdue(last.due_on)


def test_channel_audit_needs_a_conversation_on_every_active_channel(team, channel, write, read):
    with write() as s:
        make_conversation(s, channel=channel)
        other = Channel(name="Telegram")
        s.add(other)
    assert state(read, "channel_audit").evidence is None
    with write() as s:
        s.get(Channel, other.id).active = False
    assert state(read, "channel_audit").evidence == "conversations on the 1 active channel"


def test_channel_audit_counts_only_conversations_since_the_rollout_began(team, channel, write, read):
    with write() as s:
        make_conversation(s, channel=channel, received_at=dt.datetime(2026, 1, 5, 9, tzinfo=UTC))
        other = Channel(name="Telegram")
        s.add(other)
        s.flush()
        # Berlin's midnight of 1 March 2025 is 23:00 UTC the day before: one second earlier is before the rollout.
        make_conversation(s, channel=other, received_at=dt.datetime(2025, 2, 28, 22, 59, 59, tzinfo=UTC))
        make_conversation(s, channel=other, received_at=dt.datetime(2024, 6, 1, tzinfo=UTC))
    assert state(read, "channel_audit").evidence is None
    with write() as s:
        make_conversation(s, channel=s.get(Channel, other.id), received_at=dt.datetime(2025, 2, 28, 23, tzinfo=UTC))
    assert state(read, "channel_audit").evidence == "conversations on all 2 active channels"


def test_rules_step_ticks_once_rules_are_published(team, write, read):
    with write() as s:
        moderation.publish_rules(session=s, actor=team["lead"], text="Be kind.")
    assert state(read, "tone_and_rules").done


def test_quick_answer_library_needs_ten(team, write, read):
    with write() as s:
        for _ in range(9):
            make_quick_answer(s)
    assert not state(read, "quick_answers").done
    with write() as s:
        make_quick_answer(s)
    assert state(read, "quick_answers").evidence == "10 quick answers"
    with using("de"):
        found = state(read, "quick_answers")
        assert (found.evidence, rollout.auto_text(found.step)) == (
            "10 Schnellantworten",
            "mindestens 10 Schnellantworten",
        )


def test_sla_step_needs_an_active_policy_and_a_week_of_conversations(team, channel, write, read):
    with write() as s:
        make_conversation(s, channel=channel, received_at=dt.datetime(2026, 5, 1, 9, tzinfo=UTC))
        make_conversation(s, channel=channel, received_at=dt.datetime(2026, 5, 7, 9, tzinfo=UTC))
        policy = make_sla_policy(s)
    assert not state(read, "sla_dashboards").done  # six days of conversations
    with write() as s:
        make_conversation(s, channel=channel, received_at=dt.datetime(2026, 5, 8, 10, tzinfo=UTC))
    assert state(read, "sla_dashboards").done
    with write() as s:
        s.get(type(policy), policy.id).active = False
    assert not state(read, "sla_dashboards").done


def test_rubrics_step_needs_a_published_post_in_each_of_the_three(team, channel, write, read):
    with write() as s:
        published_in(s, channel, "Myth vs fact")
        published_in(s, channel, "How it works")
    assert not state(read, "rubrics").done
    with write() as s:
        published_in(s, channel, "Question of the week")
    assert state(read, "rubrics").done


def test_idea_form_step(team, write, read):
    with write() as s:
        make_idea(s, source=IdeaSource.survey)
    assert not state(read, "idea_form").done
    with write() as s:
        make_idea(s, source=IdeaSource.form)
    assert state(read, "idea_form").done


def test_first_retro_needs_the_retro_post_and_an_announced_loop(team, channel, write, read):
    with write() as s:
        published_in(s, channel, "Open retro")
        item = LoopItem(what_changed="Dark mode", shipped_on=dt.date(2026, 5, 2))
        s.add(item)
    assert not state(read, "first_retro").done  # shipped, not announced yet
    with write() as s:
        announced = s.get(LoopItem, item.id)
        announced.status, announced.announced_at = LoopStatus.announced, dt.datetime(2026, 5, 4, 10, tzinfo=UTC)
    assert state(read, "first_retro").done


def test_ugc_and_hero_step_needs_a_weekly_ritual_and_useful_ugc(team, channel, write, read):
    with write() as s:
        for week in range(3):
            s.add(WeeklyDigestNote(week_start=dt.date(2026, 5, 4) + dt.timedelta(weeks=week), hero_handle="@Mia"))
        s.add(WeeklyDigestNote(week_start=dt.date(2026, 6, 1), hero_handle=""))  # a note without a hero
        make_conversation(s, channel=channel, kind=ConversationKind.ugc, useful=True)
    assert not state(read, "ugc_hero").done  # three weeks are not a ritual yet
    with write() as s:
        s.add(WeeklyDigestNote(week_start=dt.date(2026, 6, 8), hero_handle="Doc James"))
    assert state(read, "ugc_hero").evidence == "heroes of the week in 4 weeks, 1 useful UGC"


def test_no_hero_ritual_without_useful_ugc(team, channel, write, read):
    with write() as s:
        for week in range(4):
            s.add(WeeklyDigestNote(week_start=dt.date(2026, 5, 4) + dt.timedelta(weeks=week), hero_handle="@Mia"))
        make_conversation(s, channel=channel, kind=ConversationKind.ugc, useful=False)
    assert not state(read, "ugc_hero").done


def test_evidence_from_before_the_rollout_does_not_tick_a_step(team, channel, workspace, write, read):
    """A team that did all of it the year before still has the rollout ahead: only what happens from
    the local midnight of the rollout's first day (here 4 May 2026 in Berlin) counts."""
    before = dt.datetime(2026, 5, 3, 21, 59, tzinfo=UTC)  # 23:59 on 3 May in Berlin
    with write() as s:
        s.get(Workspace, workspace).created_at = dt.datetime(2026, 5, 4, 7, 30, tzinfo=UTC)
        other = Channel(name="Facebook")
        s.add(other)
        for where, received in (
            (channel, dt.date(2025, 4, 2)),
            (other, dt.date(2025, 6, 10)),
            (other, dt.date(2026, 4, 1)),
        ):
            make_conversation(s, channel=where, received_at=dt.datetime.combine(received, dt.time(9), tzinfo=UTC))
        make_conversation(s, channel=other, received_at=before)
        make_conversation(s, channel=channel, kind=ConversationKind.ugc, useful=True, received_at=before)
        make_sla_policy(s)
        rules = moderation.publish_rules(session=s, actor=team["lead"], text="Be kind.")
        rules.published_at = dt.datetime(2025, 11, 3, 12, tzinfo=UTC)
        for rubric in (*rollout.STARTED_RUBRICS, rollout.RETRO_RUBRIC):
            published_in(s, channel, rubric, at=before)
        make_idea(s, source=IdeaSource.form, created_at=before)
        s.add(
            LoopItem(
                what_changed="Dark mode",
                shipped_on=dt.date(2026, 4, 20),
                status=LoopStatus.announced,
                announced_at=dt.datetime(2026, 4, 22, 10, tzinfo=UTC),
            )
        )
        for week in range(6):
            s.add(WeeklyDigestNote(week_start=dt.date(2026, 3, 23) + dt.timedelta(weeks=week), hero_handle="@Mia"))
    with read() as s:
        plan = rollout.rollout_plan(s)
    assert plan.started_on == dt.date(2026, 5, 4)
    assert [x.step.key for x in plan.steps if x.done] == []

    # The same evidence from the first minute of the rollout on ticks the steps.
    start = dt.datetime(2026, 5, 4, tzinfo=BERLIN).astimezone(UTC)
    with write() as s:
        for where in (channel, other):
            make_conversation(s, channel=where, received_at=start)
        make_conversation(s, channel=channel, received_at=start + dt.timedelta(days=7))
        moderation.publish_rules(session=s, actor=team["lead"], text="Be kind. No spam.")
        for rubric in rollout.STARTED_RUBRICS:
            published_in(s, channel, rubric, at=start + dt.timedelta(days=16))
        make_idea(s, source=IdeaSource.form, created_at=start + dt.timedelta(days=23))
    with read() as s:
        plan = rollout.rollout_plan(s)
    assert [x.step.key for x in plan.steps if x.done] == [
        "channel_audit",
        "tone_and_rules",
        "sla_dashboards",
        "rubrics",
        "idea_form",
    ]
    assert next(x for x in plan.steps if x.step.key == "tone_and_rules").evidence == (
        "community rules version 2 published"
    )


def test_a_step_no_data_shows_is_ticked_by_hand_with_who_and_when(team, write, read):
    with write() as s:
        rollout.tick_step(session=s, actor=team["lead"], step="plan_adjusted")
    found = state(read, "plan_adjusted")
    assert found.done and found.ticked_by == "Lea Lead" and found.ticked_at is not None
    with write() as s, pytest.raises(ConflictError):
        rollout.tick_step(session=s, actor=team["admin"], step="plan_adjusted")
    with write() as s, pytest.raises(PermissionDenied):
        rollout.tick_step(session=s, actor=team["community"], step="idea_form")
    with write() as s:
        rollout.untick_step(session=s, actor=team["admin"], step="plan_adjusted")
    assert not state(read, "plan_adjusted").done
