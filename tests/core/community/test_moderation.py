"""Moderation: versioned community rules, flag words, flags by hand or from the lists, actions
with the rule they enforce, slow mode and muted members."""

import datetime as dt

import pytest

from core.community import moderation, queues
from core.errors import ConflictError, PermissionDenied, ValidationError
from db.models import (
    FlagCategory,
    FlagSeverity,
    FlagSource,
    FlagWordCreate,
    ModerationActionCreate,
    ModerationFlagCreate,
    ModerationKind,
)
from tests.factories import make_conversation

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
RULES = "1. Be kind: no insults.\n2. No spam or ads.\n3. Stay on topic."


@pytest.fixture
def thread(write, channel):
    with write() as s:
        toxic = make_conversation(
            s,
            channel=channel,
            author_handle="@Troll.Tom",
            received_at=NOW - dt.timedelta(hours=3),
            text="You are all IDIOTS, what a Scheißladen",
        )
        calm = make_conversation(
            s,
            channel=channel,
            author_handle="@Mia",
            received_at=NOW - dt.timedelta(hours=2),
            text="Thanks, that helped",
        )
        spam = make_conversation(
            s,
            channel=channel,
            author_handle="@promo",
            received_at=NOW - dt.timedelta(hours=1),
            text="Free followers, click here",
        )
    return toxic.id, calm.id, spam.id


def test_the_rules_are_versioned_and_the_newest_is_in_force(write, read, team):
    with write() as s:
        first = moderation.publish_rules(session=s, actor=team["lead"], text=RULES, change_note="First version")
    with write() as s, pytest.raises(ValidationError, match="version 1 already"):
        moderation.publish_rules(session=s, actor=team["lead"], text=RULES)
    with write() as s:
        moderation.publish_rules(session=s, actor=team["admin"], text=RULES + "\n4. No doxxing.")
    with write() as s, pytest.raises(PermissionDenied):
        moderation.publish_rules(session=s, actor=team["community"], text="Anything goes")
    with read() as s:
        versions = queues.rules_versions(s)
        assert moderation.current_rules(s).number == 2
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].text == first.text == RULES


def test_shipped_lists_are_added_once_and_suggest_flags(thread, write, read, team):
    toxic, calm, spam = thread
    with write() as s:
        added = moderation.add_shipped_words(session=s, actor=team["lead"], language="en")
        added_de = moderation.add_shipped_words(session=s, actor=team["lead"], language="de")
    with write() as s:
        assert moderation.add_shipped_words(session=s, actor=team["lead"], language="en") == 0
    assert added >= 20 and added_de >= 20
    with read() as s:
        suggested = {x.conversation_id: x for x in queues.suggested_flags(session=s, since=NOW - dt.timedelta(days=1))}
    assert set(suggested) == {toxic, spam}
    assert suggested[toxic].category == FlagCategory.toxic and set(suggested[toxic].words) == {"idiots", "scheißladen"}
    assert suggested[spam].category == FlagCategory.spam


def test_the_lead_keeps_the_word_list(write, read, team):
    with write() as s:
        word = moderation.add_flag_word(
            session=s, actor=team["lead"], word=FlagWordCreate(word=" Abzocke ", language="de", severity="high")
        )
    with write() as s, pytest.raises(ConflictError, match="already"):
        moderation.add_flag_word(session=s, actor=team["lead"], word=FlagWordCreate(word="ABZOCKE", language="de"))
    with write() as s, pytest.raises(ValidationError, match="Unknown severity"):
        moderation.add_flag_word(session=s, actor=team["lead"], word=FlagWordCreate(word="x", severity="extreme"))
    with write() as s, pytest.raises(PermissionDenied):
        moderation.add_flag_word(session=s, actor=team["community"], word=FlagWordCreate(word="y"))
    with read() as s:
        assert [w.word for w in queues.flag_words(s)] == ["Abzocke"]
    with write() as s:
        moderation.remove_flag_word(session=s, actor=team["lead"], word_id=word.id)
    with read() as s:
        assert queues.flag_words(s) == ()


def test_flag_then_slow_mode_closes_the_flag_and_names_the_rule(thread, write, read, team):
    toxic, calm, _ = thread
    with write() as s:
        moderation.publish_rules(session=s, actor=team["lead"], text=RULES)
        moderation.flag_conversation(
            session=s,
            actor=team["community"],
            flag=ModerationFlagCreate(
                conversation_id=toxic, category="toxic", severity="high", source=FlagSource.word_list, words="idiots"
            ),
        )
        moderation.flag_conversation(
            session=s,
            actor=team["community"],
            flag=ModerationFlagCreate(conversation_id=calm, category="off_topic", severity="low"),
        )
    with write() as s, pytest.raises(ConflictError, match="flagged toxic already"):
        moderation.flag_conversation(
            session=s, actor=team["lead"], flag=ModerationFlagCreate(conversation_id=toxic, category="toxic")
        )
    with read() as s:
        flags = queues.open_flags(s)
    assert [f.conversation_id for f in flags] == [toxic, calm]  # the most severe first
    assert flags[0].author == "@Troll.Tom" and flags[0].flagged_by == "Cora Community"

    until = NOW + dt.timedelta(hours=24)
    with write() as s:
        moderation.act(
            session=s,
            actor=team["community"],
            action=ModerationActionCreate(conversation_id=toxic, kind="slow_mode", rule="1. Be kind", until=until),
            now=NOW,
        )
        moderation.dismiss_flag(session=s, actor=team["lead"], flag_id=flags[1].id, now=NOW)
    with read() as s:
        assert queues.open_flags(s) == ()
        slow = queues.in_slow_mode(session=s, now=NOW)
        assert queues.in_slow_mode(session=s, now=until) == ()
        log = queues.actions(session=s)
    assert [a.conversation_id for a in slow] == [toxic]
    assert log[0].rule == "1. Be kind" and log[0].rules_number == 1 and log[0].member_key == "troll.tom"


@pytest.mark.parametrize(
    ("kind", "until", "message"),
    [
        ("slow_mode", None, "until when"),
        ("muted", NOW - dt.timedelta(minutes=1), "in the past"),
        ("warned", NOW + dt.timedelta(hours=1), "has no end time"),
        ("banned", None, "Unknown action"),
    ],
)
def test_actions_need_a_sensible_end(thread, write, team, kind, until, message):
    with write() as s:
        moderation.publish_rules(session=s, actor=team["lead"], text=RULES)
    with write() as s, pytest.raises(ValidationError, match=message):
        moderation.act(
            session=s,
            actor=team["lead"],
            action=ModerationActionCreate(conversation_id=thread[0], kind=kind, rule="1", until=until),
            now=NOW,
        )


def test_an_action_needs_published_rules_and_a_rule(thread, write, team):
    action = ModerationActionCreate(conversation_id=thread[0], kind=ModerationKind.hidden, rule="1. Be kind")
    with write() as s, pytest.raises(ValidationError, match="Publish the community rules first"):
        moderation.act(session=s, actor=team["lead"], action=action, now=NOW)
    with write() as s:
        moderation.publish_rules(session=s, actor=team["lead"], text=RULES)
    with write() as s, pytest.raises(ValidationError, match="rule it enforces"):
        moderation.act(session=s, actor=team["lead"], action=action.model_copy(update={"rule": "  "}), now=NOW)


@pytest.mark.parametrize("role", ["viewer", "editor", "support", "analyst", "compliance"])
def test_only_community_lead_and_admin_moderate(thread, write, team, role):
    with write() as s, pytest.raises(PermissionDenied):
        moderation.flag_conversation(
            session=s,
            actor=team[role],
            flag=ModerationFlagCreate(conversation_id=thread[0], category="toxic", severity=FlagSeverity.low),
        )


def test_the_latest_mute_of_a_member_counts(thread, write, read, team):
    toxic, _, spam = thread
    with write() as s:
        moderation.publish_rules(session=s, actor=team["lead"], text=RULES)
        moderation.act(
            session=s,
            actor=team["lead"],
            action=ModerationActionCreate(
                conversation_id=toxic, kind="muted", rule="1", until=NOW + dt.timedelta(days=3)
            ),
            now=NOW,
        )
        moderation.act(
            session=s,
            actor=team["lead"],
            action=ModerationActionCreate(
                conversation_id=spam, kind="muted", rule="2", until=NOW + dt.timedelta(hours=1)
            ),
            now=NOW,
        )
    with read() as s:
        assert {m.member for m in queues.muted_members(session=s, now=NOW + dt.timedelta(hours=2))} == {"@Troll.Tom"}
