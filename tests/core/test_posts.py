"""Posts in the content calendar: templates, the status flow per role, the checklist and guards at
approval and scheduling, compliance blocks, metrics, CSV in and out, and the .ics export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlmodel import select

from core import audit, posts
from core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from core.permissions import CLI_ACTOR
from db.models import AuditLog, LoopItem, Post, StopWord, Workspace
from tests.factories import make_channel, make_ready_post, ready_post_fields

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def berlin(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


FUTURE = berlin(2031, 3, 11, 10, 0)


# --- templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "fmt", "step", "rubric", "in_body"),
    [
        ("myth_busting", "carousel", "comment_prompt", "Myth vs fact", ["Myth:", "Fact:", "What to do:"]),
        ("how_it_works", "video", "comment_prompt", "How it works", ["45–90 seconds", "timecodes"]),
        ("ideas_for_the_product", "text", "form", "Ideas for the product", ["form", "come back with the results"]),
        (
            "digest_of_the_week",
            "carousel",
            "event",
            "Digest of the week",
            ["questions and answers", "Hero of the week", "sign up"],
        ),
        ("open_retro", "text", "thread", "Open retro", ["What we launched", "What did not work", "What we change"]),
    ],
)
def test_each_template_prefills_format_structure_next_step_and_rubric(
    write, team, channel, key, fmt, step, rubric, in_body
):
    defaults = posts.template_defaults(key)
    assert defaults["template"] == key and defaults["format"] == fmt and defaults["next_step_type"] == step
    assert defaults["next_step_text"] and defaults["micro_goal"]
    for phrase in in_body:
        assert phrase in defaults["body"]
    with write() as s:
        view = posts.create_post(
            s, actor=team["lead"], fields={**defaults, "title": "From a template", "channel_id": channel.id}
        )
    assert view.rubric_name == rubric and view.format == fmt and view.status == "draft"


def test_template_texts_carry_the_papers_calls_to_action():
    assert "Which myth should we take apart next?" in posts.template_defaults("myth_busting")["next_step_text"]
    assert "we are collecting the FAQ" in posts.template_defaults("how_it_works")["next_step_text"]
    assert "come back with the results" in posts.template_defaults("ideas_for_the_product")["next_step_text"]


def test_unknown_template_is_refused():
    with pytest.raises(ValidationError, match="Unknown template"):
        posts.template_defaults("clickbait")


# --- create and edit -----------------------------------------------------------------------------


def test_create_post_makes_an_audited_draft_owned_by_the_author(write, read, team, channel):
    with write() as s:
        view = posts.create_post(
            s, actor=team["editor"], fields={"title": "  Hello  ", "channel_id": channel.id, "scheduled_at": FUTURE}
        )
    assert (view.title, view.status, view.owner_id, view.channel_name, view.version) == (
        "Hello",
        "draft",
        team["editor"].id,
        "Instagram",
        1,
    )
    assert view.scheduled_at == FUTURE.astimezone(UTC)
    with read() as s:
        assert [r.action for r in audit.history(s, entity="post", entity_id=view.id)] == ["post.create"]
        assert posts.get_post(s, view.id) == view


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "needs a title"),
        ({"format": "hologram"}, "Unknown format"),
        ({"cognitive_load": "medium"}, "'low' or 'high'"),
        ({"next_step_type": "dance"}, "Unknown next step"),
        ({"link_url": "example.com"}, "not a web address"),
        ({"scheduled_at": dt.datetime(2031, 3, 11, 10, 0)}, "no time zone"),
        ({"channel_id": 99999}, "channel does not exist"),
        ({"status": "published"}, "can't be set"),
    ],
)
def test_create_post_refuses_bad_fields_with_a_message_and_saves_nothing(write, read, team, channel, fields, message):
    with pytest.raises(ValidationError, match=message), write() as s:
        posts.create_post(s, actor=team["lead"], fields={"title": "T", "channel_id": channel.id, **fields})
    with read() as s:
        assert s.exec(select(Post)).all() == []


def test_create_post_lists_every_bad_field_at_once(write, team, channel):
    with pytest.raises(posts.FieldProblems) as caught, write() as s:
        posts.create_post(
            s, actor=team["lead"], fields={"title": "", "channel_id": channel.id, "format": "x", "link_url": "nope"}
        )
    assert set(caught.value.problems) == {"title", "format", "link_url"}


@pytest.mark.parametrize("role", ["analyst", "compliance", "viewer", "community", "support"])
def test_roles_without_draft_rights_cannot_create_posts(write, team, channel, role):
    with pytest.raises(PermissionDenied), write() as s:
        posts.create_post(s, actor=team[role], fields={"title": "T", "channel_id": channel.id})


def test_an_editor_cannot_hand_a_new_post_to_someone_else_but_a_lead_can(write, team, channel):
    with pytest.raises(PermissionDenied, match="own your own posts"), write() as s:
        posts.create_post(
            s, actor=team["editor"], fields={"title": "T", "channel_id": channel.id, "owner_id": team["owner"].id}
        )
    with write() as s:
        view = posts.create_post(
            s, actor=team["lead"], fields={"title": "T", "channel_id": channel.id, "owner_id": team["owner"].id}
        )
    assert view.owner_id == team["owner"].id


def test_editors_edit_only_their_own_posts(write, team, channel):
    with write() as s:
        mine = posts.create_post(s, actor=team["owner"], fields={"title": "Mine", "channel_id": channel.id})
    with pytest.raises(PermissionDenied, match="only your own posts"), write() as s:
        posts.update_post(
            s, actor=team["editor"], post_id=mine.id, expected_version=mine.version, fields={"title": "Theirs now"}
        )
    with write() as s:
        edited = posts.update_post(
            s, actor=team["owner"], post_id=mine.id, expected_version=mine.version, fields={"title": "Still mine"}
        )
    with write() as s:
        by_lead = posts.update_post(
            s, actor=team["lead"], post_id=mine.id, expected_version=edited.version, fields={"body": "Lead polish"}
        )
    assert (by_lead.title, by_lead.body, by_lead.version) == ("Still mine", "Lead polish", 3)


def test_saving_over_a_newer_version_is_refused(write, read, team, channel):
    with write() as s:
        view = posts.create_post(s, actor=team["lead"], fields={"title": "v1", "channel_id": channel.id})
    with write() as s:
        posts.update_post(s, actor=team["lead"], post_id=view.id, expected_version=view.version, fields={"title": "v2"})
    with pytest.raises(ConflictError, match="changed"), write() as s:
        posts.update_post(
            s, actor=team["admin"], post_id=view.id, expected_version=view.version, fields={"title": "v2 by admin"}
        )
    with read() as s:
        assert posts.get_post(s, view.id).title == "v2"


def test_a_status_change_over_a_newer_version_is_refused(write, read, session, team, channel):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="in_review")
    session.commit()
    with write() as s:
        posts.update_post(
            s, actor=team["admin"], post_id=post.id, expected_version=1, fields={"title": "Changed meanwhile"}
        )
    with pytest.raises(ConflictError), write() as s:
        posts.approve_post(s, actor=team["lead"], post_id=post.id, expected_version=1)
    with read() as s:
        assert posts.get_post(s, post.id).status == "in_review"


def test_an_approved_post_cannot_be_edited_past_its_checklist(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", owner_id=team["owner"].id
    )
    session.commit()
    with pytest.raises(PermissionDenied, match="send it back"), write() as s:
        posts.update_post(s, actor=team["owner"], post_id=post.id, expected_version=1, fields={"title": "Sneaky"})
    with pytest.raises(ValidationError, match="A next step with its text"), write() as s:
        posts.update_post(s, actor=team["lead"], post_id=post.id, expected_version=1, fields={"next_step_type": ""})


def test_published_posts_are_not_editable(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="published", published_at=FUTURE
    )
    session.commit()
    with pytest.raises(ValidationError, match="can't be changed"), write() as s:
        posts.update_post(
            s, actor=team["admin"], post_id=post.id, expected_version=1, fields={"title": "Rewrite history"}
        )


def test_the_papers_rubrics_come_built_in_and_a_lead_adds_the_teams_own(write, read, team):
    paper = [
        "Myth vs fact",
        "How it works",
        "Question of the week",
        "Ideas for the product",
        "Digest of the week",
        "Open retro",
        "You asked, we did",
    ]
    with write() as s:
        posts.add_rubric(s, actor=team["lead"], name="Behind the scenes")
    with read() as s:
        offered = {r.name: r.builtin for r in posts.calendar_options(s).rubrics}
    assert {name: offered.get(name) for name in paper} == dict.fromkeys(paper, True)
    assert offered["Behind the scenes"] is False


def test_rubric_lookup_by_name(read, team):
    with read() as s:
        assert posts.rubric_id(s, "Open retro") == posts.rubric_id(s, "open retro")
        with pytest.raises(NotFoundError, match="no rubric called"):
            posts.rubric_id(s, "Horoscopes")


# --- the status flow per role --------------------------------------------------------------------

STEPS = [
    ("draft", "in_review"),
    ("draft", "cancelled"),
    ("in_review", "approved"),
    ("in_review", "draft"),
    ("in_review", "cancelled"),
    ("approved", "scheduled"),
    ("approved", "draft"),
    ("approved", "cancelled"),
    ("scheduled", "published"),
    ("scheduled", "approved"),
    ("scheduled", "cancelled"),
]
EVERY_STEP = set(STEPS)
OWNER_STEPS = {("draft", "in_review"), ("draft", "cancelled"), ("in_review", "draft")}
EXPECTED_BY_ROLE = {
    "admin": EVERY_STEP,
    "lead": EVERY_STEP,
    "owner": OWNER_STEPS,  # an editor acting on their own post
    "editor": set(),  # an editor acting on someone else's post
    "community": set(),
    "support": set(),
    "analyst": set(),
    "compliance": set(),
    "viewer": set(),
}


@pytest.mark.parametrize("who", list(EXPECTED_BY_ROLE))
def test_every_status_step_is_allowed_or_refused_per_role(write, session, team, who):
    actor = team[who]
    allowed_steps = set()
    for n, (current, target) in enumerate(STEPS):
        channel = make_channel(session, daily_post_limit=5)
        post = make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            owner_id=team["owner"].id,
            status=current,
            scheduled_at=FUTURE + dt.timedelta(hours=n),
        )
        session.commit()
        try:
            with write() as s:
                result = posts.change_status(s, actor=actor, post_id=post.id, expected_version=1, target=target)
        except PermissionDenied:
            continue
        assert result.post.status == target
        allowed_steps.add((current, target))
    assert allowed_steps == EXPECTED_BY_ROLE[who]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "approved"),
        ("draft", "published"),
        ("in_review", "scheduled"),
        ("approved", "published"),
        ("published", "draft"),
        ("published", "cancelled"),
        ("cancelled", "draft"),
        ("scheduled", "draft"),
    ],
)
def test_steps_outside_the_flow_are_refused_even_for_an_admin(write, session, team, channel, current, target):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status=current, scheduled_at=FUTURE
    )
    session.commit()
    with pytest.raises(ValidationError, match="can't become"), write() as s:
        posts.change_status(s, actor=team["admin"], post_id=post.id, expected_version=1, target=target)


def test_allowed_transitions_offers_what_the_core_accepts(read, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="in_review", owner_id=team["owner"].id
    )
    session.commit()
    with read() as s:
        view = posts.get_post(s, post.id)
    assert posts.allowed_transitions(team["lead"], view) == ["approved", "draft", "cancelled"]
    assert posts.allowed_transitions(team["owner"], view) == ["draft"]
    assert posts.allowed_transitions(team["editor"], view) == []


def test_every_transition_is_audited_with_its_action(write, read, team, channel):
    with write() as s:
        view = posts.create_post(
            s,
            actor=team["lead"],
            fields=ready_post_fields(channel, sla_owner_id=team["support"].id, scheduled_at=FUTURE),
        )
        result = posts.advance_post(
            s, actor=team["lead"], post_id=view.id, expected_version=view.version, target="published"
        )
    assert result.post.status == "published"
    with read() as s:
        actions = [r.action for r in audit.history(s, entity="post", entity_id=view.id)]
    assert actions == ["post.create", "post.submit", "post.approve", "post.schedule", "post.publish"]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_the_post_history_shows_times_in_the_workspace_time_zone(write, read, session, team, channel, zone):
    session.exec(select(Workspace)).one().timezone = zone
    session.commit()
    with write() as s:
        view = posts.create_post(s, actor=team["lead"], fields={"title": "T", "channel_id": channel.id})
    with read() as s:
        stamped = audit.history(s, entity="post", entity_id=view.id)[0].at
        rows = posts.post_history(s, post_id=view.id)
    local = stamped.astimezone(ZoneInfo(zone))
    assert rows == [{"at": local.strftime("%Y-%m-%d %H:%M"), "who": team["lead"].username, "what": "create"}]


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
        posts.approve_post(s, actor=team["lead"], post_id=post.id, expected_version=1)
    message = str(caught.value)
    for expected in (
        "A video needs subtitles, timecodes",
        "add the ad/partnership label",
        "SLA owner",
        "lacks utm_source",
    ):
        assert expected in message
    assert "next step" not in message.lower().split("fix these first")[1]
    with read() as s:
        assert posts.get_post(s, post.id).status == "in_review"


def test_fixing_the_checklist_lets_the_lead_approve(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="in_review", format="image"
    )
    session.commit()
    with pytest.raises(ValidationError, match="alt text, contrast confirmed"), write() as s:
        posts.approve_post(s, actor=team["lead"], post_id=post.id, expected_version=1)
    with write() as s:
        fixed = posts.update_post(
            s,
            actor=team["lead"],
            post_id=post.id,
            expected_version=1,
            fields={"alt_text": "Chart of answers", "contrast_confirmed": True},
        )
        approved = posts.approve_post(s, actor=team["lead"], post_id=post.id, expected_version=fixed.version)
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
        posts.approve_post(s, actor=team["lead"], post_id=blocked.id, expected_version=1)
    with write() as s:
        result = posts.approve_post(s, actor=team["lead"], post_id=warned.id, expected_version=1)
    assert result.post.status == "approved"
    assert result.warnings == ("Stop words to double-check: 'cheap' (body).",)


# --- scheduling guards ---------------------------------------------------------------------------


def test_scheduling_needs_a_date_and_time(write, session, team, channel):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="approved")
    session.commit()
    with pytest.raises(ValidationError, match="Pick the date and time"), write() as s:
        posts.schedule_post(s, actor=team["lead"], post_id=post.id, expected_version=1)
    with write() as s:
        result = posts.schedule_post(s, actor=team["lead"], post_id=post.id, expected_version=1, scheduled_at=FUTURE)
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
        posts.schedule_post(
            s, actor=team["lead"], post_id=candidate.id, expected_version=1, scheduled_at=berlin(2031, 3, 11, 15, 0)
        )
    message = str(caught.value)
    assert f"#{early.id} 'Early bird' at 00:30" in message and f"#{late.id} 'Night owl' at 23:30" in message
    assert "Tue 11 Mar 2031" in message
    # 23:30 UTC on the 11th is already the 12th in Berlin: a free day.
    with write() as s:
        result = posts.schedule_post(
            s,
            actor=team["lead"],
            post_id=candidate.id,
            expected_version=1,
            scheduled_at=dt.datetime(2031, 3, 11, 23, 30, tzinfo=UTC),
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
                posts.schedule_post(
                    s, actor=team["admin"], post_id=second.id, expected_version=1, scheduled_at=berlin(2031, 3, 11, 18)
                )
            outcome["second"] = "scheduled"
        except ValidationError as error:
            outcome["second"] = str(error)

    other = threading.Thread(target=schedule_second)
    other.start()
    with write() as s:
        posts.schedule_post(
            s, actor=team["lead"], post_id=first.id, expected_version=1, scheduled_at=berlin(2031, 3, 11, 15)
        )
        first_checked.set()
        other.join(1.5)  # without the lock the second lead would pass the same check meanwhile
    other.join(30)
    assert "Instagram allows 2 post(s) a day" in outcome["second"] and "'First in'" in outcome["second"]
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
    with pytest.raises(ValidationError, match="Tue 10 Jun 2031"), write() as s:
        posts.schedule_post(
            s,
            actor=team["lead"],
            post_id=candidate.id,
            expected_version=1,
            scheduled_at=dt.datetime(2031, 6, 11, 2, 0, tzinfo=UTC),
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
        result = posts.schedule_post(
            s, actor=team["lead"], post_id=third.id, expected_version=1, scheduled_at=berlin(2031, 3, 12, 9)
        )
    assert result.post.status == "scheduled"
    assert any(w.startswith("3 high-load posts in a row") for w in result.warnings)
    with write() as s:
        result = posts.schedule_post(
            s, actor=team["lead"], post_id=light.id, expected_version=1, scheduled_at=berlin(2031, 3, 13, 9)
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
        info = posts.set_rhythm_limit(
            s, actor=team["lead"], expected_version=s.exec(select(Workspace)).one().version, limit=1
        )
    assert info.high_load_run_limit == 1
    with write() as s:
        result = posts.schedule_post(
            s, actor=team["lead"], post_id=candidate.id, expected_version=1, scheduled_at=berlin(2031, 3, 11, 9)
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
        check = posts.check_post(s, fields=form)
    assert not check.ready
    assert [i.key for i in check.checklist if not i.ok] == ["sla_owner"]
    assert any("Scheduling will be refused" in p and "Instagram allows 2" in p for p in check.problems)
    assert any("'miracle' (title)" in w for w in check.warnings)
    assert any("3 high-load posts in a row" in w for w in check.warnings)


# --- publishing ------------------------------------------------------------------------------------


def test_publishing_sets_the_time_and_tells_the_loop(write, read, session, team, channel):
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        scheduled_at=berlin(2024, 5, 6, 9),
    )
    item = LoopItem(what_changed="Dark mode", shipped_on=dt.date(2024, 5, 1), announcement_post_id=post.id)
    session.add(item)
    session.commit()
    with write() as s:
        result = posts.publish_post(s, actor=team["lead"], post_id=post.id, expected_version=1)
    # It went out at its (past) scheduled time.
    assert result.post.published_at == berlin(2024, 5, 6, 9).astimezone(UTC)
    with read() as s:
        assert s.get(LoopItem, item.id).announced_at == result.post.published_at


def test_publishing_early_moves_the_post_to_now(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=FUTURE
    )
    session.commit()
    before = dt.datetime.now(UTC)
    with write() as s:
        result = posts.publish_post(s, actor=team["lead"], post_id=post.id, expected_version=1)
    assert before <= result.post.published_at < FUTURE
    assert result.post.scheduled_at == result.post.published_at


# --- compliance block ------------------------------------------------------------------------------


def test_compliance_blocks_with_a_reason_and_the_post_cannot_go_forward_until_lifted(
    write, read, session, team, channel
):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="in_review")
    session.commit()
    with pytest.raises(ValidationError, match="Say why"), write() as s:
        posts.block_post(s, actor=team["compliance"], post_id=post.id, expected_version=1, reason="  ")
    with write() as s:
        blocked = posts.block_post(
            s,
            actor=team["compliance"],
            post_id=post.id,
            expected_version=1,
            reason="Needs the ad label for the bank partnership.",
        )
    assert (
        blocked.blocked
        and blocked.blocked_by_id == team["compliance"].id
        and blocked.blocked_by_name == team["compliance"].label
    )
    with pytest.raises(ValidationError, match="Blocked by compliance: Needs the ad label"), write() as s:
        posts.approve_post(s, actor=team["lead"], post_id=post.id, expected_version=blocked.version)
    assert "approved" not in posts.allowed_transitions(team["lead"], blocked)
    with pytest.raises(PermissionDenied), write() as s:
        posts.lift_block(s, actor=team["lead"], post_id=post.id, expected_version=blocked.version)
    with write() as s:
        lifted = posts.lift_block(s, actor=team["compliance"], post_id=post.id, expected_version=blocked.version)
        approved = posts.approve_post(s, actor=team["lead"], post_id=post.id, expected_version=lifted.version)
    assert approved.post.status == "approved" and not approved.post.blocked
    with read() as s:
        actions = [r.action for r in audit.history(s, entity="post", entity_id=post.id)]
    assert actions == ["post.block", "post.unblock", "post.approve"]


def test_blocking_a_scheduled_post_takes_it_off_the_schedule(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=FUTURE
    )
    session.commit()
    with write() as s:
        blocked = posts.block_post(
            s, actor=team["compliance"], post_id=post.id, expected_version=1, reason="Disclaimer missing."
        )
    assert blocked.status == "approved" and blocked.scheduled_at == FUTURE
    with pytest.raises(ValidationError, match="Blocked by compliance"), write() as s:
        posts.schedule_post(s, actor=team["lead"], post_id=post.id, expected_version=blocked.version)


@pytest.mark.parametrize("role", ["lead", "editor", "analyst"])
def test_only_compliance_and_admin_block(write, session, team, channel, role):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="draft")
    session.commit()
    with pytest.raises(PermissionDenied), write() as s:
        posts.block_post(s, actor=team[role], post_id=post.id, expected_version=1, reason="No")


# --- metrics ----------------------------------------------------------------------------------------


def test_metrics_are_entered_after_publishing(write, read, session, team, channel):
    draft = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id)
    out = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    session.commit()
    with pytest.raises(ValidationError, match="after publishing"), write() as s:
        posts.record_metrics(s, actor=team["analyst"], post_id=draft.id, expected_version=1, metrics={"impressions": 5})
    with write() as s:
        view = posts.record_metrics(
            s,
            actor=team["analyst"],
            post_id=out.id,
            expected_version=1,
            metrics={"impressions": "2000", "next_step_conversions": 50, "saves": 12},
        )
    assert (view.impressions, view.next_step_conversions, view.saves, view.conversion_rate) == (2000, 50, 12, 0.025)


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ({"impressions": -1}, "can't be negative"),
        ({"comments": "lots"}, "whole number"),
        ({"impressions": 10, "next_step_conversions": 11}, "can't exceed"),
        ({"likes": 3}, "Unknown metrics"),
    ],
)
def test_bad_metrics_are_refused(write, session, team, channel, metrics, message):
    out = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    session.commit()
    with pytest.raises(ValidationError, match=message), write() as s:
        posts.record_metrics(s, actor=team["lead"], post_id=out.id, expected_version=1, metrics=metrics)


def test_editors_cannot_enter_metrics(write, session, team, channel):
    out = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    session.commit()
    with pytest.raises(PermissionDenied), write() as s:
        posts.record_metrics(s, actor=team["editor"], post_id=out.id, expected_version=1, metrics={"impressions": 1})


def test_metrics_csv_import_is_all_or_nothing(write, read, session, team, channel):
    a = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    b = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=FUTURE
    )
    session.commit()
    bad = f"post_id,impressions,next_step_conversions\n{a.id},1000,20\n{b.id},500,5\n{a.id + 999},1,1\n"
    with write() as s:
        report = posts.import_metrics_csv(s, actor=team["analyst"], text=bad)
    assert [(p.row, p.column) for p in report.problems] == [(3, "post_id"), (4, "post_id")]
    assert "scheduled, not published" in report.problems[0].message
    with read() as s:
        assert posts.get_post(s, a.id).impressions is None
    with write() as s:
        report = posts.import_metrics_csv(
            s, actor=team["analyst"], text=f"post_id,impressions,next_step_conversions,saves\n{a.id},1000,20,\n"
        )
    assert report.ok and report.updated == 1
    with read() as s:
        view = posts.get_post(s, a.id)
    assert (view.impressions, view.next_step_conversions, view.saves) == (1000, 20, None)


# --- windows, lists, figures -------------------------------------------------------------------------


def test_window_queries_are_bounded_filtered_sorted_and_paged(read, session, team, channel):
    other = make_channel(session, name="Telegram")
    for day in range(1, 31):
        make_ready_post(
            session,
            channel=channel if day % 2 else other,
            sla_owner_id=team["support"].id,
            title=f"Day {day:02d}",
            scheduled_at=berlin(2031, 3, day, 10),
            status="scheduled",
        )
    make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, title="April", scheduled_at=berlin(2031, 4, 1, 0, 30)
    )
    make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, title="Undated")
    session.commit()
    start, end = berlin(2031, 3, 1).astimezone(UTC), berlin(2031, 4, 1).astimezone(UTC)
    with read() as s:
        entries = posts.calendar_entries(s, start=start, end=end)
        odd = posts.calendar_entries(s, start=start, end=end, filters=posts.PostFilter(channel_ids=(channel.id,)))
        page2 = posts.list_posts(s, start=start, end=end, sort="title", descending=True, page=2, page_size=10)
        undated = posts.unscheduled_posts(s)
    assert len(entries) == 30 and entries[0].title == "Day 01" and entries[-1].title == "Day 30"
    assert len(odd) == 15 and all(e.channel_name == "Instagram" for e in odd)
    assert (page2.total, page2.pages, [r.title for r in page2.rows][:2]) == (30, 3, ["Day 20", "Day 19"])
    assert [e.title for e in undated] == ["Undated"]


def test_conversion_per_rubric_is_summed_over_published_posts(read, session, team, channel, write):
    with read() as s:
        myth, retro = posts.rubric_id(s, "Myth vs fact"), posts.rubric_id(s, "Open retro")
    for rubric, impressions, conversions in ((myth, 1000, 10), (myth, 3000, 90), (retro, 500, 0)):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            rubric_id=rubric,
            status="published",
            scheduled_at=berlin(2031, 3, 5),
            published_at=berlin(2031, 3, 5),
            impressions=impressions,
            next_step_conversions=conversions,
        )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        rubric_id=myth,
        status="scheduled",
        scheduled_at=berlin(2031, 3, 6),
        impressions=99,
    )
    session.commit()
    with read() as s:
        rows = {r.rubric: r for r in posts.rubric_conversions(s, start=berlin(2031, 3, 1), end=berlin(2031, 4, 1))}
    assert set(rows) == {"Myth vs fact", "Open retro"}
    assert (
        rows["Myth vs fact"].posts,
        rows["Myth vs fact"].impressions,
        rows["Myth vs fact"].conversions,
        rows["Myth vs fact"].rate,
    ) == (2, 4000, 100, 0.025)
    assert rows["Open retro"].rate == 0.0


def test_rhythm_points_mark_runs_over_the_limit_per_channel(read, session, team, channel):
    for hour, load in ((8, "high"), (10, "high"), (12, "high"), (14, "low")):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            cognitive_load=load,
            scheduled_at=berlin(2031, 3, 10, hour),
        )
    session.commit()
    with read() as s:
        entries = posts.calendar_entries(s, start=berlin(2031, 3, 10), end=berlin(2031, 3, 11))
    points = posts.rhythm_points(entries, limit=2)
    assert [p.over_limit for p in points] == [True, True, True, False]


# --- CSV export and import ---------------------------------------------------------------------------


def _export(write, team, start, end) -> str:
    with write() as s:
        return posts.export_posts_csv(s, actor=team["analyst"], start=start, end=end)


def test_csv_export_then_import_round_trips_the_posts(write, read, session, team, channel):
    tricky = '=HYPERLINK("http://evil")\nsecond line, with "quotes"; and ümläuts'
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="-minus first",
        body=tricky,
        owner_id=team["owner"].id,
        scheduled_at=berlin(2031, 10, 26, 2, 30),
        format="video",
        subtitles=True,
        timecodes=True,
        sponsored=True,
        partner="Acme",
        ad_label=True,
        link_url="https://example.com/?utm_source=a&utm_medium=b&utm_campaign=c",
    )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=None,
        title="Plain",
        scheduled_at=berlin(2031, 10, 27, 9),
        rubric_id=None,
        cognitive_load="high",
        owner_id=team["lead"].id,
    )
    session.commit()
    start, end = berlin(2031, 10, 1), berlin(2031, 11, 1)
    exported = _export(write, team, start, end)
    first_row = next(csv.DictReader(io.StringIO(exported)))
    assert first_row["title"] == "'-minus first" and first_row["body"].startswith("'=HYPERLINK")
    assert first_row["scheduled_at"] == "2031-10-26 02:30+02:00"

    with write() as s:  # import it back: a second copy of each post, as drafts
        report = posts.import_posts_csv(s, actor=team["lead"], text=exported)
    assert report.ok and report.created == 2
    with read() as s:
        rows = s.exec(select(Post).order_by(Post.id)).all()
    originals, copies = rows[:2], rows[2:]
    compared = [f for f in posts.EDITABLE_FIELDS]
    for original, copy in zip(originals, copies, strict=True):
        assert {f: getattr(copy, f) for f in compared} == {f: getattr(original, f) for f in compared}
        assert copy.status == "draft"
    reexported = _export(write, team, start, end)

    def strip(text):
        return sorted(
            tuple(v for k, v in r.items() if k not in ("id", "status")) for r in csv.DictReader(io.StringIO(text))
        )

    assert strip(reexported) == sorted(strip(exported) * 2)


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_row_and_column(write, read, team, channel):
    text = (
        "title,channel,format,scheduled_at,owner,tone_confirmed,link_url\n"
        "Fine post,Instagram,text,2031-03-10 10:00,,yes,\n"
        ",Instagram,text,,,,\n"
        "Bad time,Instagram,text,2031-03-30 02:30,,,\n"
        "Bad channel,Tiktok,gif,,nobody,maybe,\n"
        "Bad link,instagram,text,,,,ftp://x\n"
    )
    with write() as s:
        report = posts.import_posts_csv(s, actor=team["lead"], text=text)
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "title"),
        (4, "scheduled_at"),
        (5, "channel"),
        (5, "owner"),
        (5, "tone_confirmed"),
        (6, "link_url"),
    ]
    assert "No channel called 'Tiktok'" in report.problems[2].message
    with read() as s:
        assert s.exec(select(Post)).all() == []


@pytest.mark.parametrize(
    ("text", "column"),
    [("title,channel,colour\nA,Instagram,red\n", "colour"), ("title\nA\n", "channel"), ("title,channel\n", "")],
)
def test_a_csv_with_a_wrong_header_is_refused(write, team, channel, text, column):
    with write() as s:
        report = posts.import_posts_csv(s, actor=team["lead"], text=text)
    assert not report.ok and report.problems[0].column == column


def test_an_editor_cannot_import_posts_owned_by_someone_else(write, read, team, channel):
    text = f"title,channel,owner\nMine,Instagram,{team['editor'].username}\nTheirs,Instagram,{team['owner'].username}\n"
    with write() as s:
        report = posts.import_posts_csv(s, actor=team["editor"], text=text)
    assert [(p.row, p.column) for p in report.problems] == [(3, "owner")]
    assert "only posts you own" in report.problems[0].message
    with read() as s:
        assert s.exec(select(Post)).all() == []
    with write() as s:
        report = posts.import_posts_csv(s, actor=team["lead"], text=text)
    assert report.created == 2


def test_semicolon_csv_from_a_german_spreadsheet_imports(write, read, team, channel):
    with write() as s:
        report = posts.import_posts_csv(
            s, actor=team["editor"], text="title;channel;body\nHallo;Instagram;Grüße, alle\n"
        )
    assert report.created == 1
    with read() as s:
        post = s.exec(select(Post)).one()
    assert (post.body, post.owner_id) == ("Grüße, alle", team["editor"].id)


def test_csv_export_needs_export_rights(write, team, channel):
    with pytest.raises(PermissionDenied), write() as s:
        posts.export_posts_csv(s, actor=team["editor"], start=berlin(2031, 1, 1), end=berlin(2031, 2, 1))


# --- iCalendar ---------------------------------------------------------------------------------------


def test_ics_export_parses_back_with_utc_times_and_stable_uids(write, session, team, channel):
    scheduled = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="Myth: exports",
        status="scheduled",
        scheduled_at=berlin(2031, 7, 1, 18, 30),
    )
    published = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="Retro",
        status="published",
        scheduled_at=berlin(2031, 7, 2, 9),
        published_at=berlin(2031, 7, 2, 9),
    )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="Just a draft",
        status="draft",
        scheduled_at=berlin(2031, 7, 3, 9),
    )
    session.commit()
    with write() as s:
        data = posts.export_ics(s, actor=team["viewer"], start=berlin(2031, 7, 1), end=berlin(2031, 8, 1))
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["[Instagram] Myth: exports", "[Instagram] Retro"]
    first = events[0]
    assert first.decoded("dtstart") == dt.datetime(2031, 7, 1, 16, 30, tzinfo=UTC)
    assert b"DTSTART:20310701T163000Z" in data
    assert first.decoded("dtend") - first.decoded("dtstart") == dt.timedelta(minutes=30)
    assert [str(e["uid"]) for e in events] == [posts.post_uid(scheduled.id), posts.post_uid(published.id)]
    with write() as s:
        again = posts.export_ics(s, actor=team["viewer"], start=berlin(2031, 7, 1), end=berlin(2031, 8, 1))
    assert again == data


# --- content rules management ------------------------------------------------------------------------


def test_leads_manage_stop_words_rubrics_and_limits_and_editors_cannot(write, read, team, channel):
    with write() as s:
        word = posts.add_stop_word(s, actor=team["lead"], word="  Free   money ", mode="block")
        posts.set_stop_word_mode(s, actor=team["lead"], stop_word_id=word.id, mode="warn")
        rubric = posts.add_rubric(s, actor=team["lead"], name="Behind the scenes", description="The team at work.")
        posts.set_rubric_active(s, actor=team["lead"], rubric_id=rubric.id, active=False)
        limited = posts.set_daily_limit(
            s, actor=team["lead"], channel_id=channel.id, expected_version=channel.version, limit=5
        )
    assert word.word == "Free money" and limited.daily_post_limit == 5
    with read() as s:
        assert [(w.word, w.mode) for w in posts.list_stop_words(s)] == [("Free money", "warn")]
        assert not next(r for r in posts.list_rubrics(s) if r.name == "Behind the scenes").active
        assert {r.action for r in s.exec(select(AuditLog))} >= {
            "stop_word.create",
            "stop_word.update",
            "rubric.create",
            "rubric.update",
            "channel.daily_limit",
        }
    with pytest.raises(ValidationError, match="on the list already"), write() as s:
        posts.add_stop_word(s, actor=team["lead"], word="FREE MONEY")
    for call in (
        lambda s: posts.add_stop_word(s, actor=team["editor"], word="x"),
        lambda s: posts.add_rubric(s, actor=team["editor"], name="Mine"),
        lambda s: posts.set_daily_limit(s, actor=team["editor"], channel_id=channel.id, expected_version=2, limit=9),
        lambda s: posts.remove_stop_word(s, actor=team["compliance"], stop_word_id=word.id),
    ):
        with pytest.raises(PermissionDenied), write() as s:
            call(s)


@pytest.mark.parametrize(
    ("word", "mode", "message"),
    [("", "warn", "Type the word"), ("spam", "shout", "'block'"), ("x" * 81, "warn", "80 characters")],
)
def test_bad_stop_words_are_refused(write, team, word, mode, message):
    with pytest.raises(ValidationError, match=message), write() as s:
        posts.add_stop_word(s, actor=CLI_ACTOR, word=word, mode=mode)
