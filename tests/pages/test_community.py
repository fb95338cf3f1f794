"""The community screen per role: members by role, a member's page with merge and undo, roles
given by hand, the role rules, and the 60-day rollout (ticked by hand by a lead)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlmodel import select

from core.community import identities
from db.models import (
    ConsentStatus,
    IdeaGiver,
    MemberMerge,
    MemberOnboarding,
    MemberRoleGrant,
    Post,
    RolloutTick,
    UgcConsent,
    Workspace,
)
from tests.factories import make_conversation, make_idea
from tests.pages.apptest import open_page, texts
from tests.pages.german import english_left

NOW = dt.datetime.now(dt.UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def people(write, team, channel):
    with write() as s:
        for i in range(5):
            make_conversation(
                s,
                channel=channel,
                author_handle="Doc James",
                received_at=NOW - dt.timedelta(days=i + 1),
                kind="ugc",
                useful=True,
                text="Tip",
            )
        make_conversation(
            s, channel=channel, author_handle="@Ann", received_at=NOW - dt.timedelta(days=2), text="Hello there"
        )
        idea = make_idea(s, title="Dark mode")
        s.add(IdeaGiver(idea_id=idea.id, handle="Ann Berg", given_at=NOW - dt.timedelta(days=3)))


def _tab(at, label):
    return next(t for t in at.tabs if t.label == label)


@pytest.mark.parametrize("role", ["admin", "lead", "community", "editor", "support", "analyst", "compliance", "viewer"])
def test_every_role_reads_the_members_and_only_the_community_team_gets_tools(people, role):
    at = open_page("community", username=role)
    assert not at.exception
    shown = texts(at)
    assert "Community" in shown
    frame = at.dataframe[0].value
    assert set(frame["Member"]) == {"Doc James", "@Ann", "Ann Berg"}
    assert frame.set_index("Member").loc["Doc James", "Roles"] == "Activist"
    manages = role in ("admin", "lead", "community")
    assert any(b.label == "Merge into this member" for b in at.button) is manages
    assert any(b.label == "Make expert" for b in at.button) is manages
    assert any(b.label == "Save the role rules" for b in at.button) is (role in ("admin", "lead"))
    assert any(b.label == "Tick this step by hand" for b in at.button) is (role in ("admin", "lead"))


def test_the_role_filter_lists_only_that_role(people):
    at = open_page("community", username="viewer")
    at.selectbox(key="community_role_filter").set_value("activist").run()
    assert list(at.dataframe[0].value["Member"]) == ["Doc James"]
    at.selectbox(key="community_role_filter").set_value("expert").run()
    assert "Nobody holds this role yet." in texts(at)


def test_merge_on_the_member_page_and_undo_it(people, read):
    at = open_page("community", username="community")
    at.selectbox(key="community_member").set_value("ann").run()
    at.selectbox(key="community_merge_other").set_value("ann berg")
    next(b for b in at.button if b.label == "Merge into this member").click().run()
    assert not at.exception
    with read() as s:
        assert [(m.handle_key, m.into_key) for m in s.exec(select(MemberMerge))] == [("ann berg", "ann")]
    assert "Ann Berg" not in set(at.dataframe[0].value["Member"])
    next(b for b in at.button if b.label.startswith("Undo the merge of")).click().run()
    with read() as s:
        assert s.exec(select(MemberMerge)).all() == []


def test_a_moderator_role_given_by_hand(people, read):
    at = open_page("community", username="lead")
    at.selectbox(key="community_member").set_value("doc james").run()
    next(b for b in at.button if b.label == "Make moderator").click().run()
    with read() as s:
        assert [(g.handle_key, g.role) for g in s.exec(select(MemberRoleGrant))] == [("doc james", "moderator")]
    assert at.dataframe[0].value.set_index("Member").loc["Doc James", "Roles"] == "Activist, Moderator"


def test_the_lead_ticks_a_rollout_step_by_hand_and_sees_the_rollout_on_home(people, write, read):
    with write() as s:  # the rollout began a week ago: the conversations since then are its channel audit
        s.exec(select(Workspace)).one().created_at = NOW - dt.timedelta(days=7)
    at = open_page("community", username="lead")
    at.selectbox(key="rollout_step").set_value("plan_adjusted").run()
    at.button(key="rollout_tick").click().run()
    with read() as s:
        assert [t.step for t in s.exec(select(RolloutTick))] == ["plan_adjusted"]
    home = open_page("home", username="lead")
    assert "60-day rollout" in texts(home)
    assert [p.proto.text for p in home.get("progress")] == ["2 of 9 steps done"]  # the channel audit ticked itself
    assert "60-day rollout" not in texts(open_page("home", username="editor"))


def test_merging_outside_the_screen_shows_on_it(people, write, team):
    with write() as s:
        identities.merge_identities(session=s, actor=team["lead"], handle="Ann Berg", into="@ann")
    at = open_page("community", username="viewer")
    frame = at.dataframe[0].value.set_index("Member")
    assert frame.loc["@Ann", "Also known as"] == "Ann Berg"


def test_rituals_onboarding_and_consent_for_the_community_team(people, read):
    at = open_page("community", username="community")
    assert not at.exception
    assert "not welcomed yet" in texts(at)
    at.selectbox(key="onboarding_who").set_value("ann")
    at.button(key="onboarding_welcomed").click().run()
    assert not at.exception
    with read() as s:
        assert [(o.handle_key, o.welcomed_by_id is not None) for o in s.exec(select(MemberOnboarding))] == [
            ("ann", True)
        ]
    showcase = next(d.value for d in at.dataframe if "Consent" in d.value.columns)
    assert set(showcase["Author"]) == {"Doc James"} and set(showcase["Consent"]) == {"not asked"}
    at.selectbox(key="showcase_status").set_value(list(ConsentStatus).index(ConsentStatus.given))  # picked by place
    at.button(key="showcase_record").click().run()
    assert not at.exception
    with read() as s:
        assert [c.status for c in s.exec(select(UgcConsent))] == ["given"]
    assert "Add the format" not in [b.label for b in at.button]  # formats are the lead's


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_rituals_are_read_only_for_other_roles(people, role):
    at = open_page("community", username=role)
    labels = [b.label for b in at.button]
    for label in ("Welcomed", "Record the consent", "Add the format", "Create the drafts for the next two weeks"):
        assert label not in labels


def test_the_lead_adds_a_recurring_format_and_drafts_it(people, read, channel):
    at = open_page("community", username="lead")
    next(b for b in at.button if b.label == "Add the format").click().run()
    assert not at.exception
    at.button(key="rituals_draft").click().run()
    assert not at.exception
    with read() as s:
        titles = [p.title for p in s.exec(select(Post))]
    assert len(titles) == 2 and all(t.startswith("Friday AMA · ") for t in titles)


@pytest.fixture
def tables_scannable(monkeypatch):
    """tests/pages/german.py reads ``value.name`` of a table before its columns (its default is
    evaluated first); a DataFrame has no name: give it one while the scan runs."""
    monkeypatch.setattr(pd.DataFrame, "name", None, raising=False)


@pytest.mark.parametrize("role", ["community", "viewer"])
def test_the_community_page_in_german(people, role, tables_scannable):
    at = open_page("community", username=role, language="de")
    assert not at.exception
    assert not english_left(at)
    frame = at.dataframe[0].value.set_index("Mitglied")
    assert frame.loc["Doc James", "Rollen"] == "Aktivist:in"
    first_seen = (NOW - dt.timedelta(days=5)).astimezone(BERLIN)
    assert frame.loc["Doc James", "Zuerst gesehen"] == f"{first_seen:%d.%m.%Y}"
    shown = texts(at)
    assert "Eine Community ist ein Raum" in shown
    assert any(p.proto.text.startswith("0 von 9 Schritten erledigt seit ") for p in at.get("progress"))
    assert any(b.label == "Als Expert:in einsetzen" for b in at.button) is (role == "community")
