"""The schema comes from Alembic revisions only, and the models never drift from them."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, insert, inspect, text
from sqlmodel import SQLModel, col, select

from core import records
from core.permissions import CLI_ACTOR
from db.engine import make_engine, read_session, write_session
from db.migrate import VERSIONS, alembic_config, current_revision, is_at_head, newest_revision, upgrade_to_head
from db.models import Channel, IdeaGiver, Post, Role, Vote, Workspace
from tests.factories import make_channel, make_idea, make_post, make_user
from tests.test_cli import run_cli

BERLIN = ZoneInfo("Europe/Berlin")


def test_an_empty_database_upgrades_to_head_with_every_table(engine):
    # The fixture's database was built by the same upgrade; run it again to prove it is a no-op.
    upgrade_to_head(engine)
    assert is_at_head(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_alembic_check_finds_no_drift_between_models_and_revisions(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.check(config)  # raises when autogenerate would emit operations


def test_the_revision_history_has_a_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_revision_ids_are_their_file_names_digits_in_one_line():
    """``db.migrate`` finds the newest schema from the file names alone (no Alembic import)."""
    script = ScriptDirectory.from_config(alembic_config())
    files = sorted(path.name for path in VERSIONS.glob("*.py"))
    ids = [name[:4] for name in files]
    assert [script.get_revision(i).module.__file__.rsplit("/", 1)[-1] for i in ids] == files
    assert [script.get_revision(i).down_revision for i in ids] == [None, *ids[:-1]]
    assert newest_revision() == script.get_current_head() == ids[-1]


def test_a_database_behind_the_newest_schema_is_found_and_upgraded(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, _before(newest_revision()))
        connection.commit()
    assert current_revision(engine) == _before(newest_revision())
    assert not is_at_head(engine)
    upgrade_to_head(engine)
    assert current_revision(engine) == newest_revision() and is_at_head(engine)


def test_a_command_upgrades_a_database_behind_the_newest_schema(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, _before(newest_revision()))
        connection.commit()
    code, out, err = run_cli(engine, "users", "list")
    assert (code, err) == (0, "") and "No users yet" in out
    assert current_revision(engine) == newest_revision()


def test_a_command_on_a_current_database_leaves_alembic_alone(engine, monkeypatch):
    upgrades = []
    monkeypatch.setattr(command, "upgrade", lambda *args, **kwargs: upgrades.append(args))
    code, out, err = run_cli(engine, "users", "list")
    assert (code, err) == (0, "") and "No users yet" in out
    assert upgrades == []
    try:
        _book_revision(engine, _before(newest_revision()))  # one revision back: now the command must upgrade
        code, _, err = run_cli(engine, "users", "list")
        assert (code, err) == (0, "") and len(upgrades) == 1
    finally:
        _book_revision(engine, newest_revision())  # the schema never moved (the upgrade was a stand-in)


def _book_revision(engine, revision: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})


def test_a_database_alembic_never_touched_has_no_revision(tmp_path):
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert current_revision(empty) is None and not is_at_head(empty)
    finally:
        empty.dispose()


def test_downgrade_to_base_and_up_again(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        connection.commit()
        assert MigrationContext.configure(connection).get_current_revision() is None
    assert "post" not in inspect(engine).get_table_names()
    upgrade_to_head(engine)
    assert is_at_head(engine)


def _before(revision: str) -> str:
    """The revision a given one follows (the chain is re-linked as branches land)."""
    down = ScriptDirectory.from_config(alembic_config()).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


def test_revision_0008_gives_published_posts_their_planned_time_back(engine):
    """Before 0008, "Mark as published" ahead of the plan wrote the click time over the planned
    time; the audit log kept the plan, and the revision puts it back."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, _before("0008"))
        connection.commit()
    planned = dt.datetime(2026, 3, 12, 15, 0, tzinfo=BERLIN).astimezone(dt.UTC)
    clicked = planned - dt.timedelta(minutes=47)
    imported_at = dt.datetime(2026, 2, 2, 9, 30, tzinfo=BERLIN).astimezone(dt.UTC)
    with write_session(engine) as s:
        channel = make_channel(s, name="Instagram")
        early = make_post(s, channel=channel, title="Myth: exports lose your formatting", status="scheduled")
        late = make_post(s, channel=channel, title="What slows you down on Mondays?", status="scheduled")
        imported = make_post(
            s, channel=channel, title="Digest: your best questions", status="published", scheduled_at=imported_at
        )
        imported.published_at = imported_at
        early.scheduled_at, late.scheduled_at = planned, planned + dt.timedelta(days=1)
        s.flush()
        # What publishing wrote until now: early, the click time over the plan; late (marked
        # after its time), the plan as the publication time, so the plan itself never changed.
        for post, went_out in ((early, clicked), (late, planned + dt.timedelta(days=1))):
            records.update_versioned(
                s,
                Post,
                post.id,
                expected_version=post.version,
                changes={"status": "published", "published_at": went_out, "scheduled_at": went_out},
                actor=CLI_ACTOR,
                action="post.publish",
            )
        ids = early.id, late.id, imported.id
    upgrade_to_head(engine)
    with read_session(engine) as s:
        rows = {p.id: (p.scheduled_at, p.published_at) for p in s.exec(select(Post).where(col(Post.id).in_(ids)))}
    assert rows[ids[0]] == (planned, clicked)
    assert rows[ids[1]] == (planned + dt.timedelta(days=1), planned + dt.timedelta(days=1))
    assert rows[ids[2]] == (imported_at, imported_at)


def test_0007_marks_the_posts_already_in_calendars_and_gives_each_workspace_a_uid(engine):
    """Rows from before 0007: a workspace without a uid, and posts on the plan, once scheduled
    (its "Schedule" step in the audit log) or never scheduled."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, _before("0007"))
        connection.commit()
    old = MetaData()
    old.reflect(engine, only=["workspace", "channel", "post", "audit_log"])
    assert "uid" not in old.tables["workspace"].columns and "calendar_listed" not in old.tables["post"].columns

    def row(record: SQLModel) -> dict[str, object]:
        columns = old.tables[str(record.__tablename__)].columns
        return {k: v for k, v in record.model_dump().items() if k in columns}

    when = dt.datetime(2031, 7, 3, 16, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(insert(old.tables["workspace"]), [row(Workspace(id=1, name="Dialog Desk"))])
        connection.execute(insert(old.tables["channel"]), [row(Channel(id=1, name="Instagram", platform="instagram"))])
        posts = {
            1: ("scheduled", when),  # on the plan now
            2: ("published", when),
            3: ("cancelled", when),  # scheduled once, then cancelled: in calendars
            4: ("approved", when),  # scheduled once, then taken off the schedule
            5: ("cancelled", None),  # a draft dropped before it was ever scheduled
            6: ("draft", when),
        }
        connection.execute(
            insert(old.tables["post"]),
            [
                row(Post(id=i, title=f"Post {i}", channel_id=1, status=s, scheduled_at=at))
                for i, (s, at) in posts.items()
            ],
        )
        connection.execute(
            insert(old.tables["audit_log"]),
            [
                {"at": when, "actor": "lea", "action": action, "entity": entity, "entity_id": entity_id}
                for action, entity, entity_id in (
                    ("post.schedule", "post", 3),
                    ("post.schedule", "post", 4),
                    ("post.unschedule", "post", 4),
                    ("post.submit", "post", 6),
                    ("post.schedule", "idea", 5),  # another entity's number 5
                )
            ],
        )
    upgrade_to_head(engine)
    with engine.connect() as connection:
        listed = dict(connection.execute(text("SELECT id, calendar_listed FROM post ORDER BY id")).all())
        (uid,) = connection.execute(text("SELECT uid FROM workspace")).scalars().all()
    assert {i for i, flag in listed.items() if flag} == {1, 2, 3, 4}
    assert str(uuid.UUID(uid)) == uid


def test_0013_drops_the_conversation_indexes_no_query_uses_and_gives_them_back_on_the_way_down(engine):
    unused = {"ix_conversation_author_handle", "ix_conversation_resolved_at"}

    def indexes() -> set[str]:
        return {index["name"] for index in inspect(engine).get_indexes("conversation")}

    assert not unused & indexes()
    assert {"ix_conversation_author_received", "ix_conversation_kpi"} <= indexes()
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, _before("0013"))
        connection.commit()
    assert unused <= indexes()
    upgrade_to_head(engine)
    assert not unused & indexes()


def test_0014_counts_each_ideas_givers_and_votes_and_indexes_the_board(engine):
    with write_session(engine) as s:
        user = make_user(s, Role.editor, username="voter")
        other = make_user(s, Role.support, username="second")
        asked = make_idea(s, title="Offline mode", status="valid")
        quiet = make_idea(s, title="Nobody asked", status="valid")
        merged = make_idea(s, title="Offline please", status="valid")
        for idea, handle in ((asked, "@Ann"), (asked, "Doc James"), (asked, "@bo"), (merged, "@cy")):
            s.add(IdeaGiver(idea_id=idea.id, handle=handle))
        s.add_all([Vote(idea_id=asked.id, user_id=user.id), Vote(idea_id=asked.id, user_id=other.id)])
        s.flush()
        merged.merged_into_id = asked.id
        ids = (asked.id, quiet.id, merged.id)

    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, _before("0014"))
        connection.commit()
    columns = {c["name"] for c in inspect(engine).get_columns("idea")}
    assert not {"demand", "votes"} & columns
    added = {"ix_idea_board", "ix_idea_source_created", "ix_post_channel_status_published", "ix_post_status_scheduled"}

    def indexes() -> set[str]:
        return {i["name"] for table in ("idea", "post") for i in inspect(engine).get_indexes(table)}

    assert not added & indexes()

    upgrade_to_head(engine)
    assert added <= indexes()
    with engine.connect() as connection:
        counts = dict(
            (row.id, (row.demand, row.votes))
            for row in connection.execute(text("SELECT id, demand, votes FROM idea"))  # i18n: not text
        )
    assert [counts[i] for i in ids] == [(3, 2), (0, 0), (1, 0)]
    board = next(i for i in inspect(engine).get_indexes("idea") if i["name"] == "ix_idea_board")
    assert board["column_names"] == ["status", "demand", "votes", "created_at", "id"]
    where = board.get("dialect_options", {}).get(f"{engine.dialect.name}_where")
    assert "merged_into_id IS NULL" in str(where), board
