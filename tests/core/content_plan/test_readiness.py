"""The checklist and guards applied when a post is approved or scheduled, and beside the editor's
unsaved form: failing checklist items, stop words, the daily limit per local day, the rhythm."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.content_plan import house_rules, posts, queries, readiness
from core.errors import ValidationError
from db.models import Post, PostCreate, PostUpdate, StopWord, Workspace
from tests.core.content_plan.times import FUTURE, UTC, berlin
from tests.factories import make_ready_post, ready_post_fields

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here


# --- approval gate -------------------------------------------------------------------------------


def test_approval_is_refused_with_the_list_of_failing_checklist_items(write, read, session, team, channel):
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=None,
        status="in_review",
        format="video",
        link_url="https://example.com/guide",
        sponsored=True,
    )
    session.commit()
    with pytest.raises(ValidationError) as caught, write() as s:
        posts.change_status(session=s, actor=team["lead"], post_id=post.id, expected_version=1, target="approved")
    message = str(caught.value)
    for expected in (
        "Video needs subtitles, timecodes",
        "add the ad/partnership label",
        "SLA owner",
        "lacks utm_source",
    ):
        assert expected in message
    assert "next step" not in message.lower().split("fix these first")[1]
    with read() as s:
        assert queries.get_post(s, post.id).status == "in_review"


def test_fixing_the_checklist_lets_the_lead_approve(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="in_review", format="image"
    )
    session.commit()
    with pytest.raises(ValidationError, match="alt text, contrast confirmed"), write() as s:
        posts.change_status(session=s, actor=team["lead"], post_id=post.id, expected_version=1, target="approved")
    with write() as s:
        fixed = posts.update_post(
            session=s,
            actor=team["lead"],
            post_id=post.id,
            expected_version=1,
            post_in=PostUpdate(alt_text="Chart of answers", contrast_confirmed=True),
        )
        approved = posts.change_status(
            session=s, actor=team["lead"], post_id=post.id, expected_version=fixed.version, target="approved"
        )
    assert approved.post.status == "approved"


def test_a_blocking_stop_word_refuses_approval_and_a_warning_word_only_warns(write, session, team, channel):
    session.add(StopWord(word="guaranteed", mode="block"))
    session.add(StopWord(word="cheap", mode="warn"))
    blocked = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="in_review", title="Guaranteed results"
    )
    warned = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="in_review", body="Not CHEAP, but fair."
    )
    session.commit()
    with (
        pytest.raises(ValidationError, match="Stop words that block publication: 'guaranteed' \\(title\\)"),
        write() as s,
    ):
        posts.change_status(session=s, actor=team["lead"], post_id=blocked.id, expected_version=1, target="approved")
    with write() as s:
        result = posts.change_status(
            session=s, actor=team["lead"], post_id=warned.id, expected_version=1, target="approved"
        )
    assert result.post.status == "approved"
    assert result.warnings == ("Stop words to double-check: 'cheap' (body).",)


# --- scheduling guards ---------------------------------------------------------------------------


def test_scheduling_needs_a_date_and_time(write, session, team, channel):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="approved")
    session.commit()
    with pytest.raises(ValidationError, match="Pick the date and time"), write() as s:
        posts.change_status(session=s, actor=team["lead"], post_id=post.id, expected_version=1, target="scheduled")
    with write() as s:
        result = posts.change_status(
            session=s, actor=team["lead"], post_id=post.id, expected_version=1, scheduled_at=FUTURE, target="scheduled"
        )
    assert result.post.status == "scheduled" and result.post.scheduled_at == FUTURE


def test_the_daily_limit_refuses_scheduling_and_names_the_conflicting_posts(write, read, session, team, channel):
    # Instagram allows 2 a day; both existing posts are on Tuesday 11 March 2031, Berlin time.
    early = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        title="Early bird",
        scheduled_at=berlin(2031, 3, 11, 0, 30),
    )
    late = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        title="Night owl",
        scheduled_at=berlin(2031, 3, 11, 23, 30),
    )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="draft",
        title="A draft does not count",
        scheduled_at=berlin(2031, 3, 11, 12, 0),
    )
    candidate = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", title="One too many"
    )
    session.commit()
    with pytest.raises(ValidationError) as caught, write() as s:
        posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=candidate.id,
            expected_version=1,
            scheduled_at=berlin(2031, 3, 11, 15, 0),
            target="scheduled",
        )
    message = str(caught.value)
    assert f"#{early.id} 'Early bird' at 00:30" in message and f"#{late.id} 'Night owl' at 23:30" in message
    assert "Tue 2031-03-11" in message
    # 23:30 UTC on the 11th is already the 12th in Berlin: a free day.
    with write() as s:
        result = posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=candidate.id,
            expected_version=1,
            scheduled_at=dt.datetime(2031, 3, 11, 23, 30, tzinfo=UTC),
            target="scheduled",
        )
    assert result.post.status == "scheduled"


def test_two_leads_scheduling_into_the_last_slot_at_once_get_one_post_in(write, read, session, team, channel):
    import threading

    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        scheduled_at=berlin(2031, 3, 11, 9),
    )
    first = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", title="First in"
    )
    second = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", title="Second in"
    )
    session.commit()
    first_checked, outcome = threading.Event(), {}

    def schedule_second():
        first_checked.wait(10)
        try:
            with write() as s:
                posts.change_status(
                    session=s,
                    actor=team["admin"],
                    post_id=second.id,
                    expected_version=1,
                    scheduled_at=berlin(2031, 3, 11, 18),
                    target="scheduled",
                )
            outcome["second"] = "scheduled"
        except ValidationError as error:
            outcome["second"] = str(error)

    other = threading.Thread(target=schedule_second)
    other.start()
    with write() as s:
        posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=first.id,
            expected_version=1,
            scheduled_at=berlin(2031, 3, 11, 15),
            target="scheduled",
        )
        first_checked.set()
        other.join(1.5)  # without the lock the second lead would pass the same check meanwhile
    other.join(30)
    assert "Instagram allows 2 posts a day" in outcome["second"] and "'First in'" in outcome["second"]
    with read() as s:
        assert s.get(Post, second.id).status == "approved"


def test_the_daily_limit_follows_the_workspace_time_zone(write, session, team, channel):
    session.exec(select(Workspace)).one().timezone = "America/New_York"
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        scheduled_at=dt.datetime(2031, 6, 10, 14, 0, tzinfo=UTC),
    )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        scheduled_at=dt.datetime(2031, 6, 10, 20, 0, tzinfo=UTC),
    )
    candidate = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="approved")
    session.commit()
    # 02:00 UTC on the 11th is 22:00 on the 10th in New York: the 10th is full.
    with pytest.raises(ValidationError, match="Tue 2031-06-10"), write() as s:
        posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=candidate.id,
            expected_version=1,
            scheduled_at=dt.datetime(2031, 6, 11, 2, 0, tzinfo=UTC),
            target="scheduled",
        )


def test_scheduling_warns_about_a_run_of_high_load_posts(write, session, team, channel):
    for hour in (9, 11):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            status="scheduled",
            cognitive_load="high",
            scheduled_at=berlin(2031, 3, 10, hour),
        )
    third = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", cognitive_load="high"
    )
    light = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", cognitive_load="low"
    )
    session.commit()
    with write() as s:
        result = posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=third.id,
            expected_version=1,
            scheduled_at=berlin(2031, 3, 12, 9),
            target="scheduled",
        )
    assert result.post.status == "scheduled"
    assert any(w.startswith("3 high-load posts in a row") for w in result.warnings)
    with write() as s:
        result = posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=light.id,
            expected_version=1,
            scheduled_at=berlin(2031, 3, 13, 9),
            target="scheduled",
        )
    assert result.warnings == ()


def test_the_rhythm_limit_is_the_leads_setting(write, session, team, channel):
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        cognitive_load="high",
        scheduled_at=berlin(2031, 3, 10, 9),
    )
    candidate = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", cognitive_load="high"
    )
    session.commit()
    with write() as s:
        info = house_rules.set_rhythm_limit(
            session=s, actor=team["lead"], expected_version=s.exec(select(Workspace)).one().version, limit=1
        )
    assert info.high_load_run_limit == 1
    with write() as s:
        result = posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=candidate.id,
            expected_version=1,
            scheduled_at=berlin(2031, 3, 11, 9),
            target="scheduled",
        )
    assert result.warnings and result.warnings[0].startswith(
        "2 high-load posts in a row in this channel (the rhythm allows 1)"
    )


def test_check_post_shows_checklist_and_guards_from_unsaved_form_values(write, read, session, team, channel):
    session.add(StopWord(word="miracle", mode="warn"))
    for hour in (9, 12):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            status="scheduled",
            cognitive_load="high",
            scheduled_at=berlin(2031, 3, 11, hour),
        )
    session.commit()
    form = ready_post_fields(
        channel, sla_owner_id=None, title="A miracle", cognitive_load="high", scheduled_at=berlin(2031, 3, 11, 18)
    )
    with read() as s:
        check = readiness.check_post(s, draft=PostCreate(**form))
    assert not check.ready
    assert [i.key for i in check.checklist if not i.ok] == ["sla_owner"]
    assert any("Scheduling will be refused" in p and "Instagram allows 2" in p for p in check.problems)
    assert any("'miracle' (title)" in w for w in check.warnings)
    assert any("3 high-load posts in a row" in w for w in check.warnings)


def test_a_time_that_passes_is_judged_by_the_clock_of_each_look_not_of_the_cached_check(read, channel, team):
    draft = PostCreate(
        **ready_post_fields(channel, sla_owner_id=team["support"].id, scheduled_at=berlin(2031, 3, 11, 10, 0))
    )
    with read() as s:
        stored = readiness.stored_checks(s, draft=draft)
    assert "The scheduled time is in the past." not in stored.warnings
    before = readiness.with_timing(stored, draft, now=berlin(2031, 3, 11, 9, 59))
    after = readiness.with_timing(stored, draft, now=berlin(2031, 3, 11, 10, 1))
    assert "The scheduled time is in the past." not in before.warnings
    assert "The scheduled time is in the past." in after.warnings
    with read() as s:
        assert readiness.check_post(s, draft=draft, now=berlin(2031, 3, 11, 10, 1)).warnings == after.warnings


# --- what the checklist concludes, by status ------------------------------------------------------

PAST = berlin(2024, 5, 6, 15)  # 15:00 on a Monday that has gone by


@pytest.mark.parametrize(
    ("status", "at", "conclusion", "past_time_warning"),
    [
        (None, FUTURE, "Ready for approval.", None),
        ("draft", FUTURE, "Ready for approval.", None),
        ("in_review", FUTURE, "Ready for approval.", None),
        ("approved", FUTURE, "Approved and ready to schedule.", None),
        ("scheduled", FUTURE, "Checked and scheduled.", None),
        # A time gone by is flagged, and nothing is concluded beside it.
        ("in_review", PAST, None, readiness.PAST_TIME),
        ("scheduled", PAST, None, readiness.PAST_TIME_SCHEDULED),
        # Out or dropped: nothing ahead to be ready for, and a past time is what it should be.
        ("published", PAST, None, None),
        ("cancelled", PAST, None, None),
    ],
)
def test_the_checklist_concludes_only_for_a_step_ahead_and_never_beside_a_flag(
    read, session, team, channel, status, at, conclusion, past_time_warning
):
    fields = ready_post_fields(channel, sla_owner_id=team["support"].id, scheduled_at=at)
    post_id = None
    if status is not None:
        post = make_ready_post(
            session, channel=channel, sla_owner_id=team["support"].id, status=status, scheduled_at=at
        )
        if status == "published":
            post.published_at = at + dt.timedelta(minutes=3)
        session.commit()
        post_id = post.id
        fields["title"] = post.title
    with read() as s:
        check = readiness.check_post(s, draft=PostCreate(**fields), post_id=post_id, now=berlin(2030, 1, 1, 12))
    assert check.ready  # every checklist item passes in each case
    assert check.conclusion == conclusion
    past = [w for w in check.warnings if w.startswith("The scheduled time is in the past")]
    assert past == ([past_time_warning] if past_time_warning else [])


def test_a_warning_keeps_the_checklist_from_concluding(read, session, team, channel):
    session.add(StopWord(word="miracle", mode="warn"))
    session.commit()
    draft = PostCreate(**ready_post_fields(channel, sla_owner_id=team["support"].id, title="A small miracle"))
    with read() as s:
        check = readiness.check_post(s, draft=draft)
    assert check.ready and check.warnings
    assert check.conclusion is None


def test_a_published_post_is_not_held_to_the_plan_s_guards(read, session, team, channel):
    """Two posts already out on the channel's day (its limit): the third that went out that day
    shows no "scheduling will be refused", as it is past scheduling."""
    for hour in (9, 12, 18):
        post = make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            status="published",
            scheduled_at=berlin(2024, 5, 6, hour),
        )
        post.published_at = post.scheduled_at
    session.commit()
    fields = ready_post_fields(
        channel, sla_owner_id=team["support"].id, scheduled_at=post.scheduled_at, title=post.title
    )
    with read() as s:
        check = readiness.check_post(s, draft=PostCreate(**fields), post_id=post.id)
        open_check = readiness.check_post(
            s, draft=PostCreate(**{**fields, "title": "Another one that day"}), now=berlin(2024, 5, 1, 9)
        )
    assert check.problems == () and check.warnings == ()
    assert any("Scheduling will be refused" in p for p in open_check.problems)  # the guard itself still holds
