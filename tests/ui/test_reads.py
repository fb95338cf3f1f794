"""Cached reads: served from the cache until their own domain's data changes, in any process."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from core import audit, changes, formats
from core.content_plan import posts
from core.ideas import capture, detail
from core.permissions import CLI_ACTOR
from core.sla import queues
from db.engine import write_session
from db.models import IdeaCreate, PostCreate
from tests.factories import make_conversation
from tests.pages.apptest import open_page
from ui import reads, state


def _screen() -> None:
    """Two cached reads of two domains, as a page would do them after its frame (AppTest runs
    this function's source as a script of its own, so it imports what it uses)."""
    import streamlit as st

    from core.content_plan import queries  # noqa: F811
    from core.sla import queues  # noqa: F811
    from ui import reads

    reads.refresh_versions()
    st.session_state["drafts"] = [p.title for p in reads.read(queries.unscheduled_posts)]
    st.session_state["channels"] = [name for _id, name in reads.read(queues.filter_options).channels]


@pytest.fixture
def statements(database_url):
    """The SQL statements the app's engine runs, cleared by the test between runs."""
    seen: list[str] = []
    engine = state.engine()

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _queries_tables(seen: list[str], table: str) -> bool:
    return any(f"from {table} " in s or f"from {table}\n" in s or f"join {table} " in s for s in seen)


def _queries(seen: list[str]) -> list[str]:
    return [s for s in seen if s.strip() not in ("begin", "commit", "rollback")]


def test_a_write_drops_only_its_own_domains_cached_reads(team, channel, statements):
    at = AppTest.from_function(_screen, default_timeout=30).run()
    assert not at.exception
    assert _queries_tables(statements, "post") and _queries_tables(statements, "conversation")

    statements.clear()
    at.run()
    assert len(_queries(statements)) == 1 and "from data_version" in _queries(statements)[0], (
        "an unchanged database is read from the cache: only the change counters are read"
    )

    with write_session(state.engine()) as session:  # someone logs an idea: neither read looks at ideas
        capture.log_idea(session=session, actor=team["editor"], idea_in=IdeaCreate(title="Dark mode", handles="@ann"))
    statements.clear()
    at.run()
    assert len(_queries(statements)) == 1

    with write_session(state.engine()) as session:  # a draft is saved: the content plan changes
        posts.create_post(
            session=session,
            actor=team["editor"],
            post_in=PostCreate(title="Myth vs fact: dark mode", channel_id=channel.id),
        )
    statements.clear()
    at.run()
    assert at.session_state["drafts"] == ["Myth vs fact: dark mode"]
    assert _queries_tables(statements, "post"), "the calendar read runs again"
    assert not _queries_tables(statements, "conversation"), "the SLA read stays cached"

    with write_session(state.engine()) as session:  # a conversation arrives: the SLA domain changes
        make_conversation(session, channel=channel)
        changes.mark_changed(session, entity="conversation")
    statements.clear()
    at.run()
    assert _queries_tables(statements, "conversation"), "the SLA read runs again"
    assert not _queries_tables(statements, "post"), "the calendar read stays cached"


def test_a_rolled_back_write_changes_no_counter(engine):
    with write_session(engine) as session:
        before = changes.versions(session)
    with pytest.raises(RuntimeError), write_session(engine) as session:
        changes.mark_changed(session, entity="idea")
        raise RuntimeError("the action failed")
    with write_session(engine) as session:
        assert changes.versions(session) == before


def test_each_commit_counts_each_changed_domain_once(engine):
    with write_session(engine) as session:
        changes.mark_changed(session, entity="idea")
        changes.mark_changed(session, entity="vote")
        changes.mark_changed(session, entity="post")
    with write_session(engine) as session:
        changes.mark_changed(session, entity="idea_giver")
    with write_session(engine) as session:
        assert changes.versions(session) == {"ideas": 2, "content_plan": 1}


def test_every_table_belongs_to_a_domain():
    from sqlmodel import SQLModel

    import db.models  # noqa: F401

    bookkeeping = {"audit_log", "data_version", "login_throttle"}
    unmapped = [t for t in SQLModel.metadata.tables if t not in bookkeeping and t not in changes.DOMAIN_OF_ENTITY]
    assert not unmapped
    assert set(changes.DOMAIN_OF_ENTITY.values()) <= set(changes.DOMAINS)


def test_a_reader_outside_core_is_refused():
    with pytest.raises(ValueError, match="not a core read model"):
        reads.domain_of_reader(_screen)
    assert reads.domain_of_reader(detail.category_suggestions) == "ideas"
    assert "workspace" in reads.domains_read_by(queues.filter_options)
    assert CLI_ACTOR.role == "admin"


def test_the_reads_that_cross_domains_follow_both():
    from core.content_plan import queries as plan
    from core.sla import watch

    # The calendar's lists count conversations; a conversation picks its post from the published ones.
    assert "sla" in reads.domains_read_by(plan.calendar_entries)
    assert "sla" in reads.domains_read_by(plan.list_posts)
    assert "content_plan" in reads.domains_read_by(watch.recent_posts)
    # The rest of each domain stays cached when the other changes.
    assert "sla" not in reads.domains_read_by(plan.unscheduled_posts)
    assert "content_plan" not in reads.domains_read_by(queues.filter_options)


def _history_screen() -> None:
    """A post's history (its times in the workspace time zone, worked out in core), read after
    the workspace row as a page does after its frame."""
    import streamlit as st

    from core import workspace
    from core.content_plan import queries
    from ui import reads

    reads.refresh_versions()
    st.session_state["zone"] = reads.read(workspace.info).timezone
    history = reads.read(queries.post_history, post_id=st.session_state["post_id"])
    st.session_state["history"] = [row.at for row in history]


def test_after_the_admin_changes_the_time_zone_the_next_view_uses_the_new_zone(team, channel, statements):
    with write_session(state.engine()) as session:
        post = posts.create_post(
            session=session,
            actor=team["editor"],
            post_in=PostCreate(title="Myth vs fact: night shifts", channel_id=channel.id),
        )
    with write_session(state.engine()) as session:
        (saved_at,) = [row.at for row in audit.history(session, entity="post", entity_id=post.id)]
    berlin = formats.date_time(saved_at.astimezone(ZoneInfo("Europe/Berlin")))
    auckland = formats.date_time(saved_at.astimezone(ZoneInfo("Pacific/Auckland")))
    assert berlin != auckland

    at = AppTest.from_function(_history_screen, default_timeout=30)
    at.session_state["post_id"] = post.id
    statements.clear()
    at.run()
    assert not at.exception
    assert (at.session_state["zone"], at.session_state["history"]) == ("Europe/Berlin", [berlin])
    workspace_reads = [s for s in statements if "from workspace" in s]
    assert len(workspace_reads) == 1, "the history read takes the workspace row its run read"

    admin = open_page("admin", username="admin")
    zone = next(t for t in admin.text_input if t.label == "Time zone (IANA name)")
    zone.input("Pacific/Auckland")
    admin = next(b for b in admin.button if b.label == "Save workspace").click().run()
    assert not admin.exception and not admin.error

    at.run()
    assert not at.exception
    assert (at.session_state["zone"], at.session_state["history"]) == ("Pacific/Auckland", [auckland])
