"""'You asked, we did': loop items, forward-only status, givers, thanks, impact, monthly update."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import ideas, loop, posts
from core.errors import ConflictError, PermissionDenied, ValidationError
from core.permissions import CLI_ACTOR
from db.models import IdeaGiver, IdeaStatus, LoopItem, LoopStatus, Role, Vote
from db.types import utcnow
from tests.factories import make_channel, make_conversation, make_idea, make_user

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
S, A, T, M = LoopStatus.shipped, LoopStatus.announced, LoopStatus.thanked, LoopStatus.measured


# --- pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "announced", "all_thanked", "measured", "expected"),
    [
        (S, False, False, False, S),
        (S, True, False, False, A),
        (S, True, True, False, T),
        (S, True, True, True, M),
        # Early events wait for their turn: thanked or measured without the announcement stay shipped.
        (S, False, True, True, S),
        (A, True, False, True, A),
        # Never backwards, whatever the events say now.
        (A, False, False, False, A),
        (T, True, False, False, T),
        (M, False, False, False, M),
    ],
)
def test_status_moves_only_forward_with_the_events(current, announced, all_thanked, measured, expected):
    assert loop.advance_status(current, announced=announced, all_thanked=all_thanked, measured=measured) == expected


def test_impact_windows_are_whole_local_days_around_the_shipped_day_across_a_clock_change():
    # 2026-03-29: Europe/Berlin moves to summer time.
    b0, b1, a0, a1 = loop.impact_windows(dt.date(2026, 3, 20), 14, BERLIN)
    assert b0 == dt.datetime(2026, 3, 6, 0, tzinfo=BERLIN).astimezone(UTC)
    assert b1 == dt.datetime(2026, 3, 20, 0, tzinfo=BERLIN).astimezone(UTC)
    assert a0 == dt.datetime(2026, 3, 21, 0, tzinfo=BERLIN).astimezone(UTC)
    assert a1 == dt.datetime(2026, 4, 4, 0, tzinfo=BERLIN).astimezone(UTC)
    assert (a1 - a0) == dt.timedelta(days=14, hours=-1)  # the shorter day is counted whole


@pytest.mark.parametrize(
    ("today", "measured"),
    [(dt.date(2026, 4, 30), False), (dt.date(2026, 5, 1), True), (dt.date(2026, 6, 1), True)],
)
def test_a_conversation_count_is_measured_once_the_after_window_is_over(today, measured):
    figure = loop.conversation_impact(
        40, 30, shipped_on=dt.date(2026, 3, 31), days=30, categories=["billing"], today=today
    )
    assert (figure.kind, figure.before, figure.after, figure.change) == ("conversations", 40, 30, -10)
    assert figure.measured is measured
    assert figure.change_share == pytest.approx(-0.25)


@pytest.mark.parametrize(
    ("before", "after", "measured", "change"),
    [(30.0, 42.0, True, 12.0), (30.0, None, False, None), (None, None, False, None), (-10.0, -20.0, True, -10.0)],
)
def test_nps_impact_needs_both_values(before, after, measured, change):
    figure = loop.nps_impact(before, after)
    assert (figure.kind, figure.measured, figure.change) == ("nps", measured, change)


@pytest.mark.parametrize("value", [-100.5, 101, 1000])
def test_nps_outside_minus_100_to_100_is_refused(value):
    with pytest.raises(ValidationError, match="between -100 and 100"):
        loop.validate_nps(value, "before")


@pytest.mark.parametrize(
    ("text", "expected"), [("billing, login ,billing", ("billing", "login")), ("", ()), (["a", " ", "b"], ("a", "b"))]
)
def test_categories_are_trimmed_and_deduplicated(text, expected):
    assert loop.parse_categories(text) == expected


def test_the_announcement_names_what_changed_credits_the_givers_and_asks_what_next():
    title, body = loop.announcement_text(
        what_changed="Dark mode is live",
        details="In the app settings.",
        idea_titles=["Dark mode"],
        handles=["@ann", "@bo", "@cy"],
        idea_form_url="https://x.example/f",
    )
    assert title == "You asked, we did: Dark mode is live"
    assert "Thank you @ann, @bo and @cy" in body
    assert "“Dark mode”" in body and "In the app settings." in body
    assert body.endswith(loop.NEXT_STEP_TEXT + " https://x.example/f")


def test_the_thank_you_reply_greets_every_handle_of_its_channel():
    text = loop.thank_you_reply(
        handles=["@ann", "@bo"], what_changed="Dark mode is live", idea_titles=["Dark mode", "Night theme"]
    )
    assert text.startswith("@ann @bo Thank you for the idea!")
    assert "“Dark mode” and 1 more" in text


@pytest.mark.parametrize(
    ("text", "expected"), [("a*b_c", r"a\*b\_c"), ("[x](y)", r"\[x\](y)"), ("<b>\n#1", r"\<b\> \#1"), ("$5", r"\$5")]
)
def test_user_text_is_escaped_for_markdown(text, expected):
    assert loop.markdown_escape(text) == expected


# --- arranging --------------------------------------------------------------------------------


def _idea_with_givers(session, *handles, channel=None, status=IdeaStatus.shipped, **fields):
    idea = make_idea(session, status=status, **fields)
    for handle in handles:
        session.add(IdeaGiver(idea_id=idea.id, handle=handle, channel_id=channel.id if channel else None))
    session.flush()
    return idea


def _open_loop(write, lead, *idea_ids, shipped_on=dt.date(2026, 3, 2), **kwargs):
    with write() as s:
        return loop.create_loop_item(
            s, actor=lead, what_changed="Dark mode is live", shipped_on=shipped_on, idea_ids=list(idea_ids), **kwargs
        )


def _publish(write, lead, post_id):
    """Walk the announcement through the calendar's checklist and approval to published."""
    with write() as s:
        post = posts.get_post(s, post_id)
        post = posts.update_post(
            s,
            actor=lead,
            post_id=post_id,
            expected_version=post.version,
            fields={"tone_confirmed": True, "sla_owner_id": lead.id},
        )
        posts.advance_post(
            s, actor=lead, post_id=post_id, expected_version=post.version, target="published", scheduled_at=utcnow()
        )


# --- givers -----------------------------------------------------------------------------------


def test_givers_are_the_deduplicated_union_over_linked_and_merged_ideas(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        insta, tele = make_channel(s), make_channel(s)
        first = _idea_with_givers(s, "@ann", "@bo", channel=insta)
        second = _idea_with_givers(s, "@bo", "@cy", channel=tele)
        target = _idea_with_givers(s, "@dee", channel=tele)
        duplicate = _idea_with_givers(s, "@ann", "@eve", channel=insta, status=IdeaStatus.valid)
        first_id, second_id, target_id, duplicate_id = first.id, second.id, target.id, duplicate.id
    with write() as s:
        ideas.merge(s, actor=lead, source_id=duplicate_id, target_id=target_id, expected_version=1)
    item = _open_loop(write, lead, first_id, second_id, target_id)
    with read() as s:
        handles = [g.handle for g in loop.givers(s, loop_item_id=item.id)]
    assert handles == ["@ann", "@bo", "@cy", "@dee", "@eve"]
    assert item.givers_count == 5


def test_a_merged_away_idea_cannot_be_linked_and_an_idea_answers_one_loop_only(write, team):
    lead = team[Role.lead]
    with write() as s:
        target = _idea_with_givers(s, "@a")
        merged = make_idea(s, status=IdeaStatus.valid, merged_into_id=target.id)
        target_id, merged_id = target.id, merged.id
    with pytest.raises(ValidationError, match="merged into"), write() as s:
        loop.create_loop_item(s, actor=lead, what_changed="X", shipped_on=dt.date(2026, 3, 2), idea_ids=[merged_id])
    _open_loop(write, lead, target_id)
    with pytest.raises(ValidationError, match="already answered"), write() as s:
        loop.create_loop_item(s, actor=lead, what_changed="Y", shipped_on=dt.date(2026, 3, 2), idea_ids=[target_id])


def test_opening_a_loop_for_an_idea_in_progress_marks_it_shipped(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        idea = _idea_with_givers(s, "@a", status=IdeaStatus.in_progress, category="billing")
        idea_id, version = idea.id, idea.version
    with read() as s:
        assert [c.id for c in loop.ideas_to_ship(s)] == [idea_id]
    item = _open_loop(write, lead, idea_id, idea_versions={idea_id: version})
    with read() as s:
        assert ideas.get_idea(s, idea_id=idea_id).status == IdeaStatus.shipped
        assert loop.ideas_to_ship(s) == [] and loop.shipped_ideas_without_loop_item(s) == []
    assert item.impact_categories == ("billing",)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"what_changed": "  "}, "what changed"),
        ({"what_changed": "x" * 301}, "keep it to 300"),
        ({"idea_ids": []}, "at least one idea"),
        ({"shipped_on": dt.datetime.now(BERLIN).date() + dt.timedelta(days=1)}, "in the future"),
        ({"impact_window_days": 0}, "1 to 365 days"),
    ],
)
def test_bad_loop_items_are_refused_with_what_to_fix(write, read, team, fields, message):
    with write() as s:
        idea_id = _idea_with_givers(s, "@a").id
    arguments = {"what_changed": "Dark mode", "shipped_on": dt.date(2026, 3, 2), "idea_ids": [idea_id]} | fields
    with pytest.raises(ValidationError, match=message), write() as s:
        loop.create_loop_item(s, actor=team[Role.lead], **arguments)
    with read() as s:
        assert s.exec(select(LoopItem)).all() == []


@pytest.mark.parametrize("role", [Role.editor, Role.community, Role.viewer])
def test_only_lead_and_admin_manage_loop_items(write, team, role):
    with write() as s:
        idea_id = _idea_with_givers(s, "@a").id
    with pytest.raises(PermissionDenied), write() as s:
        loop.create_loop_item(s, actor=team[role], what_changed="X", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea_id])


# --- the loop: announce, thank, measure -------------------------------------------------------


def test_the_announcement_is_a_normal_draft_in_the_calendar_crediting_the_givers(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel = make_channel(s)
        idea_id = _idea_with_givers(s, "@ann", "@bo", channel=channel, title="Dark mode").id
        channel_id = channel.id
    item = _open_loop(write, lead, idea_id)
    with write() as s:
        post = loop.draft_announcement(
            s,
            actor=lead,
            loop_item_id=item.id,
            channel_id=channel_id,
            expected_version=item.version,
            idea_form_url="https://example.com/ideas",
        )
    with read() as s:
        stored = posts.get_post(s, post.id)
        view = loop.get_loop_item(s, item.id)
    assert stored.status == "draft" and stored.rubric_name == loop.RUBRIC and stored.channel_id == channel_id
    assert "@ann and @bo" in stored.body and "Dark mode is live" in stored.body
    assert stored.next_step_type == "form" and stored.next_step_text == loop.NEXT_STEP_TEXT
    assert "utm_campaign=you_asked_we_did" in stored.link_url
    assert view.announcement_post_id == post.id and view.status == S


def test_a_second_announcement_is_refused_and_a_stale_version_conflicts(write, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = _idea_with_givers(s, "@a").id
    item = _open_loop(write, lead, idea_id)
    with write() as s:
        loop.draft_announcement(
            s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
    with pytest.raises(ConflictError), write() as s:
        loop.draft_announcement(
            s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
    with write() as s:
        current = loop.get_loop_item(s, item.id)
    with pytest.raises(ValidationError, match="already has its announcement"), write() as s:
        loop.draft_announcement(
            s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=current.version
        )


def test_the_loop_moves_forward_announced_thanked_measured(write, read, team):
    lead, community = team[Role.lead], team[Role.community]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = _idea_with_givers(s, "@ann", "@bo").id
    item = _open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 1, 10))
    with write() as s:
        post = loop.draft_announcement(
            s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
    _publish(write, lead, post.id)
    with read() as s:
        view = loop.get_loop_item(s, item.id)
        assert [i.id for i in loop.open_loops(s)] == [item.id] and loop.closed_loops(s) == []
    assert view.status == A and view.announced_at is not None

    with write() as s:
        loop.set_thanked(s, actor=community, loop_item_id=item.id, handles=["@ann"])
    with read() as s:
        assert loop.get_loop_item(s, item.id).status == A
        assert [g.handle for g in loop.givers(s, loop_item_id=item.id) if g.thanked] == ["@ann"]
    with write() as s:
        view = loop.set_thanked(s, actor=community, loop_item_id=item.id, handles=["@bo"])
    assert view.status == T and not view.is_open
    with read() as s:
        assert [i.id for i in loop.closed_loops(s)] == [item.id] and loop.open_loops(s) == []
    with pytest.raises(ValidationError, match="no longer be removed"), write() as s:
        loop.set_thanked(s, actor=community, loop_item_id=item.id, handles=["@bo"], thanked=False)

    with write() as s:
        view = loop.set_impact(
            s, actor=lead, loop_item_id=item.id, expected_version=view.version, nps_before=31, nps_after=38
        )
    assert view.status == M and view.measured_at is not None


def test_thanks_and_measurement_before_the_announcement_wait_for_it(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = _idea_with_givers(s, "@ann").id
    item = _open_loop(write, lead, idea_id)
    with write() as s:
        loop.set_thanked(s, actor=lead, loop_item_id=item.id, handles=["@ann"])
        current = loop.get_loop_item(s, item.id)
        current = loop.set_impact(
            s, actor=lead, loop_item_id=item.id, expected_version=current.version, nps_before=10, nps_after=20
        )
        assert current.status == S
        post = loop.draft_announcement(
            s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=current.version
        )
    _publish(write, lead, post.id)
    with read() as s:
        assert loop.get_loop_item(s, item.id).status == M


def test_publishing_another_post_does_not_announce_the_loop(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = _idea_with_givers(s, "@ann").id
        other = posts.create_post(
            s,
            actor=lead,
            fields={
                "title": "Other",
                "channel_id": channel_id,
                "next_step_type": "thread",
                "next_step_text": "Tell us",
                "micro_goal": "10 comments",
            },
        )
    item = _open_loop(write, lead, idea_id)
    _publish(write, lead, other.id)
    with read() as s:
        assert loop.get_loop_item(s, item.id).status == S


@pytest.mark.parametrize("role", [Role.editor, Role.viewer])
def test_only_lead_community_and_admin_thank_givers(write, team, role):
    with write() as s:
        idea_id = _idea_with_givers(s, "@ann").id
    item = _open_loop(write, team[Role.lead], idea_id)
    with pytest.raises(PermissionDenied), write() as s:
        loop.set_thanked(s, actor=team[role], loop_item_id=item.id, handles=["@ann"])


def test_thanking_someone_who_gave_no_idea_is_refused(write, team):
    with write() as s:
        idea_id = _idea_with_givers(s, "@ann").id
    item = _open_loop(write, team[Role.lead], idea_id)
    with pytest.raises(ValidationError, match="@nobody did not give"), write() as s:
        loop.set_thanked(s, actor=team[Role.community], loop_item_id=item.id, handles=["@nobody"])


def test_thank_you_replies_are_one_per_channel_naming_its_givers(write, read, team):
    with write() as s:
        insta, tele = make_channel(s, name="Insta"), make_channel(s, name="Tele")
        a = _idea_with_givers(s, "@ann", "@bo", channel=insta).id
        b = _idea_with_givers(s, "@cy", channel=tele).id
    item = _open_loop(write, team[Role.lead], a, b)
    with read() as s:
        replies = loop.thank_you_replies(s, loop_item_id=item.id)
    assert list(replies) == ["Insta", "Tele"]
    assert replies["Insta"].startswith("@ann @bo ") and "@cy" not in replies["Insta"]
    assert replies["Tele"].startswith("@cy ")


# --- impact -----------------------------------------------------------------------------------


def test_conversations_before_and_after_are_counted_in_the_linked_categories_only(write, read, team):
    shipped_on = dt.date(2026, 3, 10)
    with write() as s:
        channel = make_channel(s)
        idea_id = _idea_with_givers(s, "@a").id

        def at(day, hour=12):
            return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN).astimezone(UTC)

        for received, category in [
            (at(dt.date(2026, 2, 7), 23), "billing"),  # before the before-window (N=30 starts 8 Feb)
            (at(dt.date(2026, 2, 8), 0), "billing"),  # first instant of the before-window
            (at(dt.date(2026, 3, 1)), "billing"),
            (at(dt.date(2026, 3, 9), 23), "login"),
            (at(dt.date(2026, 3, 10)), "billing"),  # the shipped day itself: in neither
            (at(dt.date(2026, 3, 11), 0), "login"),  # first instant after
            (at(dt.date(2026, 4, 9), 23), "billing"),  # last hour of the after-window
            (at(dt.date(2026, 4, 10), 0), "billing"),  # after the after-window
            (at(dt.date(2026, 3, 20)), "export"),  # another category
        ]:
            make_conversation(s, channel=channel, received_at=received, category=category)
    item = _open_loop(write, team[Role.lead], idea_id, shipped_on=shipped_on, impact_categories="billing, login")
    with read() as s:
        during = loop.impact(s, loop_item_id=item.id, today=dt.date(2026, 4, 1))
        after = loop.impact(s, loop_item_id=item.id, today=dt.date(2026, 4, 10))
    assert (during.kind, during.before, during.after, during.measured) == ("conversations", 3, 2, False)
    assert (after.before, after.after, after.change, after.measured) == (3, 2, -1, True)
    assert after.categories == ("billing", "login")


def test_items_without_a_measurement_after_their_window_are_listed_as_not_measured(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        ids = [_idea_with_givers(s, "@a").id for _ in range(3)]
    old = _open_loop(write, lead, ids[0], shipped_on=dt.date(2026, 1, 1))
    recent = _open_loop(write, lead, ids[1], shipped_on=dt.date(2026, 2, 20))
    measured = _open_loop(write, lead, ids[2], shipped_on=dt.date(2026, 1, 1))
    with write() as s:
        loop.set_impact(
            s, actor=lead, loop_item_id=measured.id, expected_version=measured.version, nps_before=1, nps_after=2
        )
    with read() as s:
        listed = [i.id for i in loop.impact_not_measured(s, today=dt.date(2026, 3, 1))]
    assert listed == [old.id]
    assert recent.id not in listed


def test_recording_a_measurement_needs_a_complete_figure(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        idea_id = _idea_with_givers(s, "@a", category="billing").id
    item = _open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="not over yet"), write() as s:
        loop.record_measurement(
            s, actor=lead, loop_item_id=item.id, expected_version=item.version, today=dt.date(2026, 3, 15)
        )
    with write() as s:
        view = loop.record_measurement(
            s, actor=lead, loop_item_id=item.id, expected_version=item.version, today=dt.date(2026, 4, 1)
        )
    assert view.measured_at is not None and view.status == S  # measured, but not announced yet


# --- monthly update ---------------------------------------------------------------------------


def test_the_monthly_update_lists_exactly_the_months_loop_items(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        voters = [make_user(s, Role.editor) for _ in range(3)]
        ideas_ = [_idea_with_givers(s, f"@g{n}", f"@h{n}", title=f"Idea {n}") for n in range(4)]
        for voter in voters:
            s.add(Vote(idea_id=ideas_[1].id, user_id=voter.id))
        ids = [i.id for i in ideas_]
    for idea_id, day, what in zip(
        ids,
        [dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 1)],
        ["Late February", "First of March", "Last of March", "April fool"],
        strict=True,
    ):
        with write() as s:
            loop.create_loop_item(s, actor=lead, what_changed=what, shipped_on=day, idea_ids=[idea_id])
    with read() as s:
        update = loop.monthly_update(s, month=dt.date(2026, 3, 17), today=dt.date(2026, 5, 1))
    assert [i.what_changed for i in update.items] == ["First of March", "Last of March"]
    assert update.items[0].ideas[0].votes == 3 and update.items[0].givers_count == 2
    assert update.markdown.startswith("# What we implemented in March 2026")
    assert (
        "First of March" in update.markdown
        and "Late February" not in update.markdown
        and "April fool" not in update.markdown
    )
    assert "“Idea 1” — 3 votes" in update.markdown and "Idea givers: 2" in update.markdown
    assert update.file_name == "what-we-implemented-2026-03.md"


def test_the_monthly_update_can_be_drafted_as_a_post(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = _idea_with_givers(s, "@a", title="Fast *export*").id
    _open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 3, 5))
    with write() as s:
        post = loop.draft_monthly_update(s, actor=lead, month=dt.date(2026, 3, 1), channel_id=channel_id)
    assert post.title == "What we implemented in March 2026" and post.status == "draft"
    assert "“Fast *export*”" in post.body  # the post body is plain text, not escaped Markdown
    with pytest.raises(ValidationError, match="Nothing shipped in January 2026"), write() as s:
        loop.draft_monthly_update(s, actor=lead, month=dt.date(2026, 1, 1), channel_id=channel_id)


def test_every_write_is_audited_and_a_stale_edit_is_refused(write, read, team):
    from core import audit
    from db.models import AuditLog

    lead = team[Role.lead]
    with write() as s:
        idea_id = _idea_with_givers(s, "@a").id
    item = _open_loop(write, lead, idea_id)
    with write() as s:
        loop.set_thanked(s, actor=team[Role.community], loop_item_id=item.id, handles=["@a"])
        loop.set_impact(
            s, actor=lead, loop_item_id=item.id, expected_version=item.version, impact_categories=["billing"]
        )
    with pytest.raises(ConflictError), write() as s:
        loop.set_impact(s, actor=lead, loop_item_id=item.id, expected_version=item.version, impact_categories=["login"])
    with read() as s:
        actions = [h.action for h in audit.history(s, entity="loop_item", entity_id=item.id)]
        thanked_by = s.exec(select(AuditLog.actor).where(AuditLog.action == "loop_item.giver_thanked")).all()
        assert loop.get_loop_item(s, item.id).impact_categories == ("billing",)
    assert actions == ["loop_item.create", "loop_item.impact_set"]
    assert thanked_by == [team[Role.community].username]


def test_cli_actor_may_run_loop_writes(write):
    with write() as s:
        make_user(s, Role.admin)
        idea_id = _idea_with_givers(s, "@a").id
        view = loop.create_loop_item(
            s, actor=CLI_ACTOR, what_changed="X", shipped_on=dt.date(2026, 3, 1), idea_ids=[idea_id]
        )
    assert view.status == S


# --- roles on every write, a cancelled announcement, the overdue list --------------------------


def _loop_writes(channel_id):
    """Every write of the loop module that needs ``manage_loop``, as (name, call)."""
    return {
        "create_loop_item": lambda s, actor, item, idea_id: loop.create_loop_item(
            s, actor=actor, what_changed="Y", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea_id]
        ),
        "update_loop_item": lambda s, actor, item, idea_id: loop.update_loop_item(
            s,
            actor=actor,
            loop_item_id=item.id,
            expected_version=item.version,
            what_changed="Z",
            details="",
            shipped_on=dt.date(2026, 3, 2),
        ),
        "draft_announcement": lambda s, actor, item, idea_id: loop.draft_announcement(
            s, actor=actor, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        ),
        "set_impact": lambda s, actor, item, idea_id: loop.set_impact(
            s, actor=actor, loop_item_id=item.id, expected_version=item.version, nps_before=1, nps_after=2
        ),
        "record_measurement": lambda s, actor, item, idea_id: loop.record_measurement(
            s, actor=actor, loop_item_id=item.id, expected_version=item.version, today=dt.date(2026, 6, 1)
        ),
        "draft_monthly_update": lambda s, actor, item, idea_id: loop.draft_monthly_update(
            s, actor=actor, month=dt.date(2026, 3, 1), channel_id=channel_id
        ),
    }


@pytest.mark.parametrize("write_name", list(_loop_writes(0)))
@pytest.mark.parametrize("role", [Role.editor, Role.community, Role.viewer])
def test_every_loop_write_is_refused_to_roles_that_do_not_manage_the_loop(write, read, team, write_name, role):
    from db.models import AuditLog, Post

    with write() as s:
        channel_id = make_channel(s).id
        linked = _idea_with_givers(s, "@a", category="billing").id
        spare = _idea_with_givers(s, "@b").id
    item = _open_loop(write, team[Role.lead], linked)
    with read() as s:
        audited = len(s.exec(select(AuditLog)).all())
    with pytest.raises(PermissionDenied), write() as s:
        _loop_writes(channel_id)[write_name](s, team[role], item, spare)
    with read() as s:
        assert loop.get_loop_item(s, item.id) == item
        assert s.exec(select(Post)).all() == []
        assert len(s.exec(select(LoopItem)).all()) == 1
        assert len(s.exec(select(AuditLog)).all()) == audited


@pytest.mark.parametrize("write_name", list(_loop_writes(0)))
def test_the_admin_may_run_every_loop_write(write, team, write_name):
    with write() as s:
        channel_id = make_channel(s).id
        linked = _idea_with_givers(s, "@a", category="billing").id
        spare = _idea_with_givers(s, "@b").id
    item = _open_loop(write, team[Role.lead], linked)
    with write() as s:
        assert _loop_writes(channel_id)[write_name](s, team[Role.admin], item, spare) is not None


def test_a_cancelled_announcement_can_be_drafted_again_and_the_new_post_announces(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = _idea_with_givers(s, "@ann").id
    item = _open_loop(write, lead, idea_id)
    with write() as s:
        first = loop.draft_announcement(
            s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
        posts.cancel_post(s, actor=lead, post_id=first.id, expected_version=first.version)
    with read() as s:
        view = loop.get_loop_item(s, item.id)
    assert view.announcement_status == "cancelled" and view.can_draft_announcement and view.status == S
    with write() as s:
        second = loop.draft_announcement(
            s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=view.version
        )
    assert second.id != first.id
    _publish(write, lead, second.id)
    with read() as s:
        view = loop.get_loop_item(s, item.id)
    assert view.announcement_post_id == second.id and view.status == A and not view.can_draft_announcement


@pytest.mark.parametrize(
    ("shipped_on", "window", "due"),
    [
        (dt.date(2026, 1, 30), 30, True),  # shipped_on + 30 days == today: due
        (dt.date(2026, 1, 31), 30, False),
        (dt.date(2026, 2, 22), 7, True),
        (dt.date(2026, 2, 23), 7, False),
        (dt.date(2026, 1, 1), 90, False),  # long window: not over yet though shipped long ago
        (dt.date(2025, 12, 1), 90, True),
    ],
)
def test_not_measured_uses_each_loop_items_own_window(write, read, team, shipped_on, window, due):
    lead = team[Role.lead]
    with write() as s:
        ids = [_idea_with_givers(s, "@a").id for _ in range(2)]
    # Another item with the default window keeps a second window length in play.
    other = _open_loop(write, lead, ids[0], shipped_on=dt.date(2026, 1, 1))
    item = _open_loop(write, lead, ids[1], shipped_on=shipped_on, impact_window_days=window)
    with read() as s:
        listed = [i.id for i in loop.impact_not_measured(s, today=dt.date(2026, 3, 1))]
    assert (item.id in listed) is due
    assert other.id in listed


def test_not_measured_lists_at_most_the_limit_oldest_first(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        ids = [_idea_with_givers(s, "@a").id for _ in range(4)]
    opened = [
        _open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 1, 1) + dt.timedelta(days=n))
        for n, idea_id in enumerate(ids)
    ]
    with read() as s:
        listed = [i.id for i in loop.impact_not_measured(s, today=dt.date(2026, 6, 1), limit=3)]
        assert loop.impact_not_measured(s, today=dt.date(2026, 1, 2)) == []
    assert listed == [i.id for i in opened[:3]]
