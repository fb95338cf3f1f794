"""Versioned updates refuse to overwrite a newer change; every write leaves an audit row."""

import json
import re

import pytest
from sqlmodel import select

from core import audit, records, workspace
from core.errors import ConflictError, NotFoundError, ValidationError
from core.i18n import using
from db.models import AuditLog, Channel, ChannelCreate, ChannelUpdate, Role
from tests.factories import make_user


def test_a_second_save_over_a_newer_version_is_refused_and_nothing_is_lost(engine, write, read):
    with write() as s:
        admin = make_user(s, Role.admin, username="ada")
        other = make_user(s, Role.admin, username="bob")
        channel = workspace.create_channel(
            session=s, actor=admin, channel_in=ChannelCreate(name="Telegram", daily_post_limit=3)
        )
    loaded_version = channel.version  # both people opened version 1

    with write() as s:
        workspace.update_channel(
            session=s,
            actor=other,
            channel_id=channel.id,
            expected_version=loaded_version,
            channel_in=ChannelUpdate(daily_post_limit=5),
        )
    with pytest.raises(ConflictError, match="was changed by bob") as raised, write() as s:
        workspace.update_channel(
            session=s,
            actor=admin,
            channel_id=channel.id,
            expected_version=loaded_version,
            channel_in=ChannelUpdate(daily_post_limit=1),
        )
    assert "not saved" in str(raised.value)

    with read() as s:
        stored = s.get(Channel, channel.id)
        assert stored.daily_post_limit == 5  # bob's change survives
        assert stored.version == 2


def test_every_write_is_audited_with_who_what_and_before_after(engine, write, read):
    with write() as s:
        admin = make_user(s, Role.admin, username="ada")
        channel = workspace.create_channel(session=s, actor=admin, channel_in=ChannelCreate(name="YouTube"))
    with write() as s:
        workspace.update_channel(
            session=s,
            actor=admin,
            channel_id=channel.id,
            expected_version=1,
            channel_in=ChannelUpdate(daily_post_limit=7),
        )
    with read() as s:
        rows = audit.history(s, entity="channel", entity_id=channel.id)
    assert [r.action for r in rows] == ["channel.create", "channel.update"]
    assert all(r.actor == "ada" and r.actor_id == admin.id for r in rows)
    change = rows[1]
    assert json.loads(change.before) == {"id": channel.id, "daily_post_limit": 3, "version": 1}
    assert json.loads(change.after) == {"id": channel.id, "daily_post_limit": 7, "version": 2}


def test_a_failed_action_leaves_neither_the_change_nor_its_audit_row(engine, write, read):
    with write() as s:
        admin = make_user(s, Role.admin, username="ada")
    with read() as s:
        before = len(s.exec(select(AuditLog)).all())
    with pytest.raises(ConflictError), write() as s:
        workspace.create_channel(session=s, actor=admin, channel_in=ChannelCreate(name="Forum"))
        raise ConflictError("simulated failure after the first write")
    with read() as s:
        assert len(s.exec(select(AuditLog)).all()) == before
        assert s.exec(select(Channel).where(Channel.name == "Forum")).first() is None


def test_updating_a_missing_record_says_so(engine, write):
    with write() as s:
        admin = make_user(s, Role.admin)
        with pytest.raises(NotFoundError, match="#999 does not exist"):
            records.update_versioned(
                s, Channel, 999, expected_version=1, changes={"name": "x"}, actor=admin, action="channel.update"
            )


def test_passwords_never_reach_the_audit_log(engine, write, read):
    with write() as s:
        make_user(s, Role.editor, username="eve")
    with read() as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "user.create")).one()
    assert json.loads(row.after)["password_hash"] == "***"


def test_an_unversioned_update_sets_the_fields_and_audits_before_and_after(engine, write, read):
    with write() as s:
        admin = make_user(s, Role.admin, username="ada")
        channel = workspace.create_channel(
            session=s, actor=admin, channel_in=ChannelCreate(name="Telegram Kanal", daily_post_limit=3)
        )
    with write() as s:
        row = s.get(Channel, channel.id)
        records.update(s, row, {"daily_post_limit": 7, "active": False}, actor=admin, action="channel.test_set")
    with read() as s:
        stored = s.get(Channel, channel.id)
        entry = s.exec(select(AuditLog).where(AuditLog.action == "channel.test_set")).one()
    assert (stored.daily_post_limit, stored.active) == (7, False)
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("channel", channel.id, admin.id)
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert (before["daily_post_limit"], before["active"]) == (3, True)
    assert (after["daily_post_limit"], after["active"]) == (7, False)


def test_a_refused_save_is_explained_in_german_with_a_german_time(write):
    with write() as s:
        admin = make_user(s, Role.admin, username="ada")
        other = make_user(s, Role.admin, username="Bob.Keller")
        channel = workspace.create_channel(
            session=s, actor=admin, channel_in=ChannelCreate(name="Mastodon", daily_post_limit=3)
        )
    with write() as s:
        workspace.update_channel(
            session=s,
            actor=other,
            channel_id=channel.id,
            expected_version=channel.version,
            channel_in=ChannelUpdate(daily_post_limit=5),
        )
    with using("de"), pytest.raises(ConflictError) as raised, write() as s:
        workspace.update_channel(
            session=s,
            actor=admin,
            channel_id=channel.id,
            expected_version=channel.version,
            channel_in=ChannelUpdate(daily_post_limit=1),
        )
    assert re.fullmatch(
        r"Dieser Eintrag \(channel\) wurde von bob\.keller am \d{2}\.\d{2}\.\d{4} \d{2}:\d{2} UTC geändert, "
        r"nachdem du ihn geöffnet hast\. Deine Änderungen wurden nicht gespeichert; .+",
        str(raised.value),
    )


def test_a_control_character_is_refused_in_german(write):
    with write() as s:
        admin = make_user(s, Role.admin, username="ada")
    with using("de"), pytest.raises(ValidationError) as raised, write() as s:
        workspace.create_channel(session=s, actor=admin, channel_in=ChannelCreate(name="Tele\x0bgram"))
    assert str(raised.value).startswith(
        "Das Feld „Kanal: name“ enthält ein unsichtbares Steuerzeichen (U+000B, vertikaler Tabulator)"
    )


def test_distinct_values_walks_the_index_to_every_value_the_table_holds(session, channel):
    """The loose index scan finds what SELECT DISTINCT finds: mixed case, spaces, umlauts, a
    value only once among many, and not the empty category."""
    from sqlmodel import col

    from db.models import Conversation
    from tests.factories import make_conversation

    categories = ["billing", "Billing", "mobile app", "Ärger mit der App", "zz last", "", "login", "billing"]
    for n in range(120):
        make_conversation(session, channel=channel, category=categories[n % len(categories)])
    make_conversation(session, channel=channel, category="ümlaut once")
    session.commit()
    everything = set(session.exec(select(Conversation.category).where(col(Conversation.category) != "")).all())

    found = records.distinct_values(session, col(Conversation.category))

    assert sorted(found) == sorted(everything)
    assert len(found) == len(set(found)) == 7
    assert "" not in found
    assert records.distinct_values(session, col(Conversation.category), limit=3) == found[:3]


def test_distinct_values_of_an_empty_table_is_an_empty_list(session):
    from sqlmodel import col

    from db.models import Conversation

    assert records.distinct_values(session, col(Conversation.category)) == []
