"""Members built from handle keys across channels; identities merged by hand and undone exactly;
roles derived by the lead's rules and given by hand."""

import datetime as dt

import pytest

from core.community import identities, members
from core.community.rules import NO_ROLE
from core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from db.models import CommunitySettingsUpdate, IdeaGiver, IdeaStatus, MemberRole
from tests.factories import make_channel, make_conversation, make_idea

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


@pytest.fixture
def community(write, team, channel):
    """Ann writes as "@Ann" on Instagram and "@ann" in a survey idea; Ann Berg writes on Facebook
    (the same person, a different handle); Doc James is one person with a space in his name."""
    with write() as s:
        facebook = make_channel(s, name="Facebook")
        for i in range(3):
            make_conversation(s, channel=channel, author_handle="@Ann", received_at=days_ago(100 + i), text="Hi")
        make_conversation(
            s, channel=channel, author_handle="@ANN", received_at=days_ago(2), text="Again", useful=True, kind="ugc"
        )
        idea = make_idea(s, channel_id=facebook.id, status=IdeaStatus.valid)
        s.add(IdeaGiver(idea_id=idea.id, handle="@ann", given_at=days_ago(3)))
        make_conversation(s, channel=facebook, author_handle="Ann Berg", received_at=days_ago(400), text="Old")
        for i in range(5):
            make_conversation(
                s,
                channel=facebook,
                author_handle="Doc James",
                received_at=days_ago(1 + i),
                useful=True,
                kind="ugc",
                text="Tip",
            )
        make_conversation(s, channel=channel, author_handle="@newbie", received_at=days_ago(4), text="First!")
    return facebook


def by_key(found):
    return {m.key: m for m in found}


def test_handles_that_differ_only_in_case_or_at_are_one_member_across_channels(community, read):
    with read() as s:
        found = by_key(members.list_members(session=s, now=NOW))
    ann = found["ann"]
    assert ann.conversations == 4 and ann.ideas == 1
    assert ann.channels == {"Instagram", "Facebook"}
    assert ann.first_seen == days_ago(102) and ann.last_seen == days_ago(2)
    assert ann.useful_ugc == 1
    assert "doc james" in found and found["doc james"].conversations == 5
    assert "ann berg" in found


def test_roles_are_derived_by_the_rules_and_filter_the_list(community, read):
    with read() as s:
        found = by_key(members.list_members(session=s, now=NOW))
        activists = members.list_members(session=s, now=NOW, role=MemberRole.activist)
        newcomers = members.list_members(session=s, now=NOW, role=MemberRole.newcomer)
    assert found["doc james"].derived == MemberRole.activist  # five useful in 30 days
    assert found["newbie"].derived == MemberRole.newcomer
    assert found["ann"].recent == 2 and found["ann"].derived == NO_ROLE  # two contributions in 30 days: not active
    assert [m.key for m in activists] == ["doc james"]
    assert [m.key for m in newcomers] == ["newbie"]


def test_the_leads_rules_are_stored_and_change_the_roles(community, write, read, team):
    with write() as s:
        identities.save_role_rules(
            session=s,
            actor=team["lead"],
            changes=CommunitySettingsUpdate(activist_min_useful=6, active_min_contributions=2),
            expected_version=None,
        )
    with read() as s:
        found = by_key(members.list_members(session=s, now=NOW))
    assert found["doc james"].derived == MemberRole.active
    assert found["ann"].derived == MemberRole.active  # two contributions (a conversation, an idea) in 30 days
    with write() as s, pytest.raises(ValidationError, match="at least 1"):
        identities.save_role_rules(
            session=s, actor=team["lead"], changes=CommunitySettingsUpdate(newcomer_days=0), expected_version=None
        )
    with write() as s, pytest.raises(PermissionDenied):
        identities.save_role_rules(
            session=s, actor=team["community"], changes=CommunitySettingsUpdate(newcomer_days=5), expected_version=None
        )


def test_merge_and_undo_leave_everything_exactly_as_before(community, write, read, team):
    with read() as s:
        before = members.list_members(session=s, now=NOW)
    with write() as s:
        identities.merge_identities(session=s, actor=team["community"], handle="Ann Berg", into="@ANN")
    with read() as s:
        merged = by_key(members.list_members(session=s, now=NOW))
        page = members.member_page(session=s, key="ann berg", now=NOW)
    assert "ann berg" not in merged
    ann = merged["ann"]
    assert ann.conversations == 5 and ann.first_seen == days_ago(400)
    assert sorted(ann.keys) == ["ann", "ann berg"]
    assert page.member.key == "ann" and ("ann berg", "ann") in page.merged
    assert any(h.text == "Old" for h in page.history)
    with write() as s:
        identities.undo_merge(session=s, actor=team["community"], handle="ann berg")
    with read() as s:
        after = members.list_members(session=s, now=NOW)
    assert after == before


def test_a_merge_of_a_merge_follows_to_the_member_and_undoes_one_step(community, write, read, team):
    with write() as s:
        identities.merge_identities(session=s, actor=team["lead"], handle="Ann Berg", into="ann")
        identities.merge_identities(session=s, actor=team["lead"], handle="ann", into="Doc James")
    with read() as s:
        found = by_key(members.list_members(session=s, now=NOW))
    assert set(found) == {"doc james", "newbie"} and found["doc james"].conversations == 10
    with write() as s:
        identities.undo_merge(session=s, actor=team["lead"], handle="@Ann")
    with read() as s:
        found = by_key(members.list_members(session=s, now=NOW))
    assert found["ann"].conversations == 5 and found["doc james"].conversations == 5


@pytest.mark.parametrize(
    ("handle", "into", "error", "message"),
    [
        ("@ann", "@Ann", ValidationError, "already one member"),
        ("@nobody", "@ann", NotFoundError, "check the spelling"),
        ("@ann", "   ", ValidationError, "not a handle"),
    ],
)
def test_merges_that_make_no_sense_are_refused(community, write, team, handle, into, error, message):
    with write() as s, pytest.raises(error, match=message):
        identities.merge_identities(session=s, actor=team["community"], handle=handle, into=into)


def test_a_merged_identity_cannot_be_merged_twice_and_only_the_community_team_merges(community, write, team):
    with write() as s:
        identities.merge_identities(session=s, actor=team["admin"], handle="Ann Berg", into="ann")
    with write() as s, pytest.raises(ConflictError, match="undo that merge first"):
        identities.merge_identities(session=s, actor=team["admin"], handle="Ann Berg", into="newbie")
    for role in ("viewer", "editor", "support"):
        with write() as s, pytest.raises(PermissionDenied):
            identities.merge_identities(session=s, actor=team[role], handle="newbie", into="ann")


def test_expert_and_moderator_are_given_by_hand_and_follow_merges(community, write, read, team):
    with write() as s:
        identities.give_role(session=s, actor=team["community"], handle="Ann Berg", role=MemberRole.expert)
        identities.give_role(session=s, actor=team["community"], handle="newbie", role=MemberRole.moderator)
    with write() as s, pytest.raises(ValidationError, match="follow from the member's activity"):
        identities.give_role(session=s, actor=team["community"], handle="newbie", role=MemberRole.activist)
    with write() as s, pytest.raises(ConflictError):
        identities.give_role(session=s, actor=team["community"], handle="@Newbie", role=MemberRole.moderator)
    with write() as s:
        identities.merge_identities(session=s, actor=team["community"], handle="Ann Berg", into="ann")
    with read() as s:
        found = by_key(members.list_members(session=s, now=NOW))
        experts = members.list_members(session=s, now=NOW, role=MemberRole.expert)
    assert MemberRole.expert in found["ann"].roles
    assert found["newbie"].roles == (MemberRole.newcomer, MemberRole.moderator)
    assert [m.key for m in experts] == ["ann"]
    with write() as s:
        identities.take_role(session=s, actor=team["lead"], handle="newbie", role=MemberRole.moderator)
    with read() as s:
        assert by_key(members.list_members(session=s, now=NOW))["newbie"].roles == (MemberRole.newcomer,)
