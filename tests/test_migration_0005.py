"""Revision 0005 normalises the handles already stored: every row gets its key, two givers of one
idea that are one person ("@Ann" and "@ann") become one row (the earliest), and so do two thanks
of one loop item; downgrading gives the old unique rules back."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
import sqlalchemy as sa
from alembic import command

from core.handles import handle_key
from db.migrate import alembic_config, upgrade_to_head
from tests.conftest import ROOT

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _revision():
    path = ROOT / "db" / "migrations" / "versions" / "0005_handle_keys_and_import_batches.py"
    spec = importlib.util.spec_from_file_location("revision_0005", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "text", ["@Ann", "  @ANN ", "＠Ａｎｎ", "Doc  James", "Doc\u00a0James", "@Ann\u200b", "Straße", "@@bo", "@Zoë"]
)
def test_the_revision_keys_handles_as_core_does_today(text):
    assert _revision().handle_key(text) == handle_key(text)


def _filled(table: sa.Table, values: dict) -> dict:
    """``values`` plus a plain value for every other NOT NULL column without a default."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None or column.primary_key:
            continue
        python_type = column.type.python_type if not isinstance(column.type, sa.Boolean) else bool
        row[column.name] = {int: 0, float: 0.0, bool: False, str: ""}.get(python_type, T0)
    return row


def _insert(connection, table_name: str, /, **values) -> int:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    result = connection.execute(table.insert().values(_filled(table, values)))
    return result.inserted_primary_key[0]


def _at_0004(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        connection.commit()


def test_existing_handles_get_keys_and_one_person_keeps_one_row(engine):
    _at_0004(engine)
    with engine.begin() as c:
        user = _insert(c, "user", username="lea", role="lead", password_hash="x", active=True)
        channel = _insert(c, "channel", name="Instagram", active=True, daily_post_limit=3)
        idea = _insert(c, "idea", title="Dark mode", status="new", source="survey", created_at=T0)
        other = _insert(c, "idea", title="Export", status="new", source="survey", created_at=T0)
        late = _insert(c, "idea_giver", idea_id=idea, handle="@ann", given_at=T0 + dt.timedelta(days=2))
        early = _insert(c, "idea_giver", idea_id=idea, handle="@Ann", given_at=T0)
        _insert(c, "idea_giver", idea_id=idea, handle="＠ANN", given_at=T0 + dt.timedelta(days=5))
        doc = _insert(c, "idea_giver", idea_id=idea, handle="Doc James", given_at=T0)
        elsewhere = _insert(c, "idea_giver", idea_id=other, handle="@ann", given_at=T0)
        for n, handle in enumerate(("@Mila", "mila ", "@Bo")):
            _insert(
                c,
                "conversation",
                channel_id=channel,
                author_handle=handle,
                kind="question",
                status="open",
                received_at=T0 + dt.timedelta(hours=n),
                created_at=T0,
                version=1,
            )
        item = _insert(c, "loop_item", what_changed="Dark mode", shipped_on=T0.date(), status="shipped", created_at=T0)
        first_thanks = _insert(c, "loop_thanks", loop_item_id=item, handle="@ANN", thanked_at=T0, thanked_by_id=user)
        _insert(c, "loop_thanks", loop_item_id=item, handle="@ann", thanked_at=T0 + dt.timedelta(hours=1))
    upgrade_to_head(engine)

    with engine.connect() as c:
        givers = c.execute(sa.text("SELECT id, idea_id, handle, handle_key FROM idea_giver ORDER BY id")).all()
        authors = c.execute(sa.text("SELECT author_handle, author_key FROM conversation ORDER BY received_at")).all()
        thanks = c.execute(sa.text("SELECT id, handle, handle_key FROM loop_thanks")).all()
    assert sorted((g.id, g.handle, g.handle_key) for g in givers) == sorted(
        [(early, "@Ann", "ann"), (doc, "Doc James", "doc james"), (elsewhere, "@ann", "ann")]
    )
    assert late not in {g.id for g in givers}
    assert [tuple(a) for a in authors] == [("@Mila", "mila"), ("mila ", "mila"), ("@Bo", "bo")]
    assert [tuple(t) for t in thanks] == [(first_thanks, "@ANN", "ann")]

    # The new rule holds from now on: the same person twice on one idea is refused by the database.
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as c:
        c.execute(
            sa.text("INSERT INTO idea_giver (idea_id, handle, handle_key, given_at) VALUES (:i, '@ANN', 'ann', :t)"),
            {"i": idea, "t": T0},
        )


def test_downgrade_keeps_the_merged_rows_and_turns_archived_back_into_open(engine):
    upgrade_to_head(engine)
    with engine.begin() as c:
        channel = _insert(c, "channel", name="Forum", active=True, daily_post_limit=3)
        _insert(
            c,
            "conversation",
            channel_id=channel,
            author_handle="@old",
            author_key="old",
            kind="question",
            status="archived",
            received_at=T0,
            created_at=T0,
            version=1,
        )
    _at_0004(engine)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT status FROM conversation")).scalar_one() == "open"
        columns = {col["name"] for col in sa.inspect(c).get_columns("conversation")}
    assert "author_key" not in columns and "import_id" not in columns
    upgrade_to_head(engine)
