"""Thread-shaped exports (one row per message) become the right conversations: replies out of
order, a reply to a reply, a thread never answered, a thread the team started; the Twitter/X
customer-support preset reads the public data set's shape as it is."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import select

from core import cli
from core.sla import import_fields, imports, presets
from db.models import AuditLog, Conversation, ConversationMessage, Role
from tests.factories import make_channel, make_sla_policy, make_user

UTC = dt.UTC
NOW = dt.datetime(2017, 11, 2, 12, 0, tzinfo=UTC)

# The shape of twcs.csv. Rows out of order (a reply before the tweet it answers); tweet 4 replies
# to the team's reply 3 (a reply to a reply); tweet 10 is never answered; tweet 20 is the team's
# own announcement, and the customer's answer under it (21) starts a conversation of its own.
# Tweet 1's text has a bare carriage return inside its quotes, as real tweets do.
TWCS = (
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    '3,AcmeSupport,False,Tue Oct 31 22:20:00 +0000 2017,"@115712 We are on it, Ann",4,1\n'
    '1,115712,True,Tue Oct 31 22:10:47 +0000 2017,"My order is late\rsince Friday",3,\n'
    "5,AcmeSupport,False,Tue Oct 31 22:40:00 +0000 2017,@115712 It ships today,,4\n"
    '4,115712,True,Tue Oct 31 22:30:00 +0000 2017,"Thanks, still waiting",5,3\n'
    "10,220000,True,Wed Nov 01 08:00:00 +0000 2017,Is the shop open on Sunday?,,\n"
    "20,AcmeSupport,False,Wed Nov 01 09:00:00 +0000 2017,New opening hours from Monday!,21,\n"
    "21,330000,True,Wed Nov 01 09:15:00 +0000 2017,Great news,22,20\n"
    "22,AcmeSupport,False,Wed Nov 01 09:20:00 +0000 2017,@330000 Glad you like it,,21\n"
)


@pytest.fixture
def setup(session):
    support = make_user(session, Role.support)
    channel = make_channel(session, name="X")
    make_sla_policy(session, minutes=120)
    session.commit()
    return support, channel


def twitter_options(channel, **changes) -> import_fields.ImportOptions:
    preset = presets.preset_named("twitter-customer-support")
    values = dict(channel_id=channel.id, mapping=preset.mapping, file_name="twcs.csv")
    values.update(changes)
    return import_fields.ImportOptions(**values)


def conversations(session) -> dict[str, Conversation]:
    return {c.external_id: c for c in session.exec(select(Conversation)).all()}


def thread_of(session, conversation: Conversation) -> list[str]:
    rows = session.exec(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation.id)
        .order_by(ConversationMessage.sent_at)
    ).all()
    return [m.external_id for m in rows]


def test_the_twitter_preset_is_a_data_file_of_the_messages_shape():
    preset = presets.preset_named("Twitter-Customer-Support ")
    assert preset.messages
    assert preset.mapping["message_id"] == "tweet_id"
    assert preset.mapping["in_reply_to"] == "in_response_to_tweet_id"
    assert preset.mapping["sent"] == "created_at"


def test_a_thread_shaped_file_becomes_the_right_conversations(session, setup):
    support, channel = setup
    report = imports.import_messages(
        session=session, actor=support, data=TWCS, options=twitter_options(channel), now=NOW
    )
    session.commit()
    assert report.ok and report.written, report.errors
    assert report.created == 3
    assert "8 messages folded into 3 new conversations (2 answered by the team, 1 not answered)" in (
        report.fold_summary
    )
    assert "1 team message in threads the team started" in report.fold_summary

    found = conversations(session)
    assert set(found) == {"1", "10", "21"}  # the team's announcement (20) is no conversation

    late = found["1"]  # replies out of order and a reply to a reply fold into one thread
    assert late.author_handle == "115712"
    assert late.received_at.replace(tzinfo=UTC) == dt.datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)
    assert late.first_reply_at.replace(tzinfo=UTC) == dt.datetime(2017, 10, 31, 22, 20, tzinfo=UTC)
    assert late.calendar_minutes_to_reply == pytest.approx(9 + 13 / 60, abs=0.02)
    assert thread_of(session, late) == ["1", "3", "4", "5"]
    assert "My order is late\rsince Friday" in late.text

    unanswered = found["10"]
    assert unanswered.first_reply_at is None
    assert thread_of(session, unanswered) == ["10"]

    under_team_post = found["21"]
    assert under_team_post.author_handle == "330000"
    assert under_team_post.first_reply_at.replace(tzinfo=UTC) == dt.datetime(2017, 11, 1, 9, 20, tzinfo=UTC)
    assert thread_of(session, under_team_post) == ["21", "22"]

    team = session.exec(select(ConversationMessage).where(ConversationMessage.from_team)).all()
    assert sorted(m.external_id for m in team) == ["22", "3", "5"]
    assert {m.source for m in team} == {"imported"}
    assert {m.import_id for m in team} == {report.import_id}

    audits = session.exec(select(AuditLog).where(AuditLog.action == "conversation.import_messages")).all()
    assert len(audits) == 1


def test_re_importing_the_same_messages_adds_nothing(session, setup):
    support, channel = setup
    imports.import_messages(session=session, actor=support, data=TWCS, options=twitter_options(channel), now=NOW)
    session.commit()
    again = imports.import_messages(
        session=session, actor=support, data=TWCS, options=twitter_options(channel), now=NOW
    )
    session.commit()
    assert again.ok and again.created == 0
    assert session.exec(select(func.count()).select_from(Conversation)).one() == 3
    assert session.exec(select(func.count()).select_from(ConversationMessage)).one() == 7


def test_the_preview_folds_the_same_way_and_writes_nothing(session, setup):
    support, channel = setup
    report = imports.preview_messages(
        session=session, actor=support, data=TWCS, options=twitter_options(channel), now=NOW
    )
    assert report.ok and not report.written
    assert report.created == 3 and report.messages == 7
    assert session.exec(select(func.count()).select_from(Conversation)).one() == 0


def test_the_team_can_be_named_by_its_handles_instead_of_a_column(session, setup):
    support, channel = setup
    mapping = {k: v for k, v in presets.preset_named("twitter-customer-support").mapping.items() if k != "inbound"}
    options = twitter_options(channel, mapping=mapping, team_handles=("@acmesupport",))
    report = imports.import_messages(session=session, actor=support, data=TWCS, options=options, now=NOW)
    session.commit()
    assert report.ok, report.errors
    assert set(conversations(session)) == {"1", "10", "21"}


def test_a_backfill_archives_the_old_unanswered_thread(session, setup):
    support, channel = setup
    later = dt.datetime(2017, 12, 20, 12, 0, tzinfo=UTC)
    options = twitter_options(channel, history=True, history_days=30)
    report = imports.import_messages(session=session, actor=support, data=TWCS, options=options, now=later)
    session.commit()
    assert report.archived == 1
    statuses = {k: c.status for k, c in conversations(session).items()}
    assert statuses["10"] == "archived"
    assert statuses["1"] != "archived" and statuses["21"] != "archived"


def test_the_command_line_imports_messages_with_the_preset(engine, setup, tmp_path, capsys, read):
    path = tmp_path / "twcs.csv"
    path.write_bytes(TWCS.encode())
    argv = ["import-messages", str(path), "--channel", "x", "--preset", "twitter-customer-support"]
    assert cli.main(argv, engine=engine) == 0
    out = capsys.readouterr().out
    assert "into 3 new conversations" in out
    with read() as s:
        assert set(conversations(s)) == {"1", "10", "21"}
